"""Reads for the ranking app: boards and their pages, from the precomputed rows only.

A page of a board is one indexed query over LeaderboardEntry (the current rows sit in a
partial index on (leaderboard, rank)). Only published submissions have current rows: a
withdrawal closes its rows the moment it commits, before its board is recomputed.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from typing import Any, TypedDict, cast
from uuid import UUID

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, Q, QuerySet

from catalogue.models import Benchmark, Level, Suite
from submissions.states import Status

from .models import Leaderboard, LeaderboardEntry

PER_PAGE = 50
FILTERS = ("accelerator", "framework", "organization", "category")

# Public sort keys -> model fields; "-key" sorts descending. Rank always breaks ties.
SORTS = {
    "rank": "rank",
    "score": "score",
    "accelerators": "accelerator_count",
    "nodes": "nodes",
    "time": "time_s",
    "quality": "quality",
    "organization": "organization",
    "system": "system_name",
    "framework": "framework",
    "date": "published_at",
}

# The columns a page, the JSON endpoint and the CSV export read.
ROW_FIELDS = (
    "submission_id",
    "rank",
    "category_rank",
    "score",
    "score_min",
    "score_max",
    "score_cv",
    "flops",
    "time_s",
    "quality",
    "runs_total",
    "runs_converged",
    "runs_counted",
    "organization",
    "system_name",
    "accelerator",
    "accelerator_count",
    "nodes",
    "framework",
    "availability",
    "provenance",
    "published_at",
)


@dataclass(frozen=True)
class BoardQuery:
    """What a reader asked of a board: filters, sort, page and an optional past date."""

    accelerator: str = ""
    framework: str = ""
    organization: str = ""
    category: str = ""
    sort: str = "rank"
    page: int = 1
    as_of: date | None = None

    @property
    def filtered(self) -> bool:
        return any(getattr(self, name) for name in FILTERS)

    @property
    def narrowed(self) -> bool:
        """Whether a filter beyond the availability category is set."""
        return any(getattr(self, name) for name in FILTERS if name != "category")

    @property
    def rank_field(self) -> str:
        # Within one availability category, the category's own ranks are the ones shown.
        return "category_rank" if self.category else "rank"


@dataclass
class BoardPage:
    rows: list[dict[str, Any]]
    number: int
    has_next: bool
    total: int
    per_page: int = PER_PAGE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def leaderboard_get(*, suite: str, benchmark: str, level: str, profile: str = "full") -> Leaderboard | None:
    """The board a URL names, with its benchmark, suite and level loaded: one query."""
    found = _board_lookup("full", [suite, benchmark, level, profile])
    if found is None:
        return None
    board, bench, suite_row, lvl = cast(tuple[Leaderboard, Benchmark, Suite, Level], found)
    bench.suite = suite_row
    board.benchmark = bench
    board.level = lvl
    return board


def leaderboard_version(
    *, suite: str, benchmark: str, level: str, profile: str = "full"
) -> Leaderboard | None:
    """The board a URL names, with only what its cached renderings are keyed by.

    A cached answer needs the board's id, profile, facets and last change, and its benchmark's
    catalogue version (ranking/cache.py); the other columns are deferred. Fetching and
    converting the whole four-table row took twice as long as this narrow one. The board's
    benchmark is attached with its catalogue version; anything else is loaded when first read,
    as with QuerySet.only(). A request that misses the cache reads the full board with
    leaderboard_get.

    A process reuses a version it read less than LEADERBOARD_VERSION_TTL_S ago, so that a
    reader answered from the cache costs no database round trip (over HTTP on one host, that
    round trip was a third of the request). A board changed by this process is read afresh on
    the next request (forget_versions runs when the change commits); a change committed by
    another process (the worker's recompute, another web process's withdrawal) is seen within
    the TTL. With a TTL of 0 every request reads the version.
    """
    ttl = settings.LEADERBOARD_VERSION_TTL_S
    key = (suite, benchmark, level, profile)
    now = _clock()
    recent = _recent_versions.get(key) if ttl > 0 else None
    if recent is not None and now - recent[0] < ttl:
        return recent[1]
    found = _board_lookup("version", list(key))
    if found is None:
        return None  # not remembered: URLs naming no board must not grow the memory
    board, bench = cast(tuple[Leaderboard, Benchmark], found)
    board.benchmark = bench
    if ttl > 0:
        _recent_versions[key] = (now, board)
    return board


def forget_versions() -> None:
    """Read every board's version afresh: this process has just changed a board."""
    _recent_versions.clear()


# (suite, benchmark, level, profile) -> (when read, the board's version), for this process.
# Bounded by the boards that exist. Replacing or clearing entries is atomic under the GIL;
# readers in other threads see the old dict entry or the new one, both whole.
_recent_versions: dict[tuple[str, str, str, str], tuple[float, Leaderboard]] = {}
_clock = time.monotonic


def _board_lookup(shape: str, params: list[str]) -> tuple[Model, ...] | None:
    """Run one of the board lookups and build its row's model instances, one per table.

    Every leaderboard read starts here, answered from the cache or not, so the query is written
    once per process instead of being built by the ORM on each request (building this four-table
    join cost several times running it). Rows become model instances the way the ORM makes them:
    Model.from_db after the database's and the fields' converters.
    """
    alias = router.db_for_read(Leaderboard)
    connection = connections[alias]
    sql, columns = _board_query(alias, shape)
    if connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS:
        row = _prepared_fetchone(connection, sql, params)
    else:
        row = _fetchone(connection, sql, params)
    if row is None:
        return None
    instances = []
    start = 0
    for model, fields, converters in columns:
        values = list(row[start : start + len(fields)])
        start += len(fields)
        for index, col, field_converters in converters:
            for convert in field_converters:
                values[index] = convert(values[index], col, connection)
        instances.append(model.from_db(alias, [f.attname for f in fields], values))
    return tuple(instances)


def _fetchone(connection: BaseDatabaseWrapper, sql: str, params: list[str]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _prepared_fetchone(connection: BaseDatabaseWrapper, sql: str, params: list[str]) -> Any:
    """Run the board lookup as a server-side prepared statement on Django's connection.

    A cached board is answered after this one query, so its cost is most of the request's:
    PostgreSQL plans this four-table join in about 0.5 ms and runs it in 0.1 ms. Django binds
    parameters on the client and cannot prepare, so the lookup uses a psycopg cursor (server-side
    binding) on the very same connection, and prepares it once per connection.

    The query is also the connection's health check: with CONN_HEALTH_CHECKS Django would first
    send a `SELECT 1` on a reused connection. Here a reused connection that turns out dead (the
    server restarted, a failover) is closed and the read retried once on a new one, which is what
    that check would have achieved; a success marks the check as done for the request. Outside
    autocommit (inside a transaction) there is no retry: a read there is the transaction's.
    """
    retry = connection.connection is not None and not connection.in_atomic_block
    while True:
        connection.ensure_connection()
        raw = connection.connection
        if not isinstance(raw, psycopg.Connection):  # another driver: Django's own cursor
            return _fetchone(connection, sql, params)
        started = time.monotonic()
        try:
            with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
                cursor.execute(sql, params, prepare=True)
                row = cursor.fetchone()
        except (OperationalError, InterfaceError):
            if not retry:
                raise
            retry = False
            connection.close()
            continue
        connection.health_check_done = True  # type: ignore[attr-defined]  # set in __init__, not stubbed
        if connection.queries_logged:  # what Django's debug cursor records (assertNumQueries)
            connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
        return row


# Per table: the model, its fields in column order, and (index, column, converters) of the
# fields whose values need converting.
_Columns = list[tuple[type[Model], list[Any], list[tuple[int, Any, list[Any]]]]]

# What each lookup selects, per table (None: every concrete field; a table left out is only
# joined). "version" is what ranking/cache.py keys a rendering by.
_SHAPES: dict[str, dict[type[Model], tuple[str, ...] | None]] = {
    "full": {Leaderboard: None, Benchmark: None, Suite: None, Level: None},
    "version": {
        Leaderboard: ("id", "benchmark", "level", "profile", "facets", "changed_at"),
        Benchmark: ("id", "catalogue_version"),
    },
}


@functools.cache
def _board_query(alias: str, shape: str) -> tuple[str, _Columns]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    tables = {Leaderboard: "lb", Benchmark: "bm", Suite: "su", Level: "lv"}
    select: list[str] = []
    columns: _Columns = []
    for model, names in _SHAPES[shape].items():
        table = tables[model]
        fields = [f for f in model._meta.concrete_fields if names is None or f.name in names]
        # A concrete field always has a column; only non-concrete ones (many-to-many) have none.
        select += [f"{table}.{quote(cast(str, f.column))}" for f in fields]
        converters = []
        for index, field in enumerate(fields):
            col = field.get_col(table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((index, col, found))
        columns.append((model, fields, converters))
    db = {model: quote(model._meta.db_table) for model in tables}
    # Only quoted table and column names go into the text; the slugs are parameters.
    sql = (
        f"SELECT {', '.join(select)} FROM {db[Leaderboard]} lb "  # noqa: S608
        f"JOIN {db[Benchmark]} bm ON bm.{quote('id')} = lb.{quote('benchmark_id')} "
        f"JOIN {db[Suite]} su ON su.{quote('id')} = bm.{quote('suite_id')} "
        f"JOIN {db[Level]} lv ON lv.{quote('id')} = lb.{quote('level_id')} "
        f"WHERE su.{quote('slug')} = %s AND bm.{quote('slug')} = %s AND lv.{quote('slug')} = %s "
        f"AND lb.{quote('profile')} = %s"
    )
    return sql, columns


def board_target(*, suite: str, benchmark: str, level: str) -> tuple[Benchmark, Level] | None:
    """The benchmark and level a board URL names, when the catalogue has them (boards may be empty)."""
    found = Benchmark.objects.select_related("suite").filter(suite__slug=suite, slug=benchmark).first()
    if found is None:
        return None
    lvl = found.suite.levels.filter(slug=level).first()
    return (found, lvl) if lvl is not None else None


def as_of_instant(day: date) -> datetime:
    """A past date means the board as it stood at the end of that day (UTC)."""
    return datetime.combine(day + timedelta(days=1), day_time.min, tzinfo=UTC)


def leaderboard_entries(*, board: Leaderboard, query: BoardQuery) -> QuerySet[LeaderboardEntry]:
    """The board's ranked, still-published entries, filtered and sorted (not yet sliced)."""
    entries = LeaderboardEntry.objects.filter(leaderboard=board, rank__isnull=False)
    if query.as_of is None:
        # Current rows: a withdrawal closes its rows as soon as it commits (ranking.receivers),
        # so the current board needs no join to the submission.
        entries = entries.filter(valid_to__isnull=True)
    else:
        instant = as_of_instant(query.as_of)
        entries = entries.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=instant),
            valid_from__lt=instant,
            # The past board leaves out what is no longer published (withdrawn, superseded).
            submission__status=Status.PUBLISHED,
        )
    if query.category:
        entries = entries.filter(availability=query.category)
    for name in ("accelerator", "framework", "organization"):
        value = getattr(query, name)
        if value:
            entries = entries.filter(**{name: value})
    return entries.order_by(*_ordering(query), *_ties(board))


def _ties(board: Leaderboard) -> list[str]:
    # Ranks are unique on a current board; on a past one, a row ranked before an import that is
    # dated earlier may share its rank, and the tie rule (TIE_RULE) orders them.
    return [
        "-score" if board.benchmark.ranking_metric == "valid_flops" else "score",
        "published_at",
        "submission_id",
    ]


def _ordering(query: BoardQuery) -> list[str]:
    key = query.sort.lstrip("-")
    descending = query.sort.startswith("-")
    name = query.rank_field if key == "rank" else SORTS.get(key, query.rank_field)
    first = f"-{name}" if descending else name
    return [first, query.rank_field] if name != query.rank_field else [first]


def leaderboard_page(*, board: Leaderboard, query: BoardQuery, per_page: int | None = None) -> BoardPage:
    """One page of rows as dicts: one query (two when a filter or a past date needs a count)."""
    per_page = per_page or PER_PAGE
    number = max(query.page, 1)
    start = (number - 1) * per_page
    entries = leaderboard_entries(board=board, query=query)
    # One row more than the page says whether a next page exists without counting.
    rows = list(entries.values(*ROW_FIELDS)[start : start + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if query.narrowed or query.as_of is not None:
        total = entries.count() if (has_next or number > 1) else start + len(rows)
    elif query.category:
        total = board.category_counts.get(query.category, 0)
    else:
        total = board.ranked_count
    ranks = _as_of_ranks(board, query) if query.as_of is not None else None
    for row in rows:
        row["shown_rank"] = row[query.rank_field] if ranks is None else ranks.get(row["submission_id"])
    return BoardPage(rows=rows, number=number, has_next=has_next, total=total, per_page=per_page)


def _as_of_ranks(board: Leaderboard, query: BoardQuery) -> dict[Any, int]:
    """Ranks on the board as it stood then: each row's place among the rows valid that day.

    A row keeps the rank its recompute gave it; a result imported later but dated earlier
    (a published list) holds from its publication, beside rows ranked before it came. So
    the past board is numbered afresh: stored rank, then better score, then publication.
    """
    unfiltered = replace(query, accelerator="", framework="", organization="", sort="rank", page=1)
    ordered = leaderboard_entries(board=board, query=unfiltered).values_list("submission_id", flat=True)
    return {sid: place for place, sid in enumerate(ordered, 1)}


class UnrankedRow(TypedDict):
    submission_id: UUID
    organization: str
    system_name: str
    unranked_reason: str
    runs_total: int
    runs_converged: int


class CurveRow(TypedDict):
    submission_id: UUID
    index: int
    curve: Any  # a JSON list of {epoch, time_s, quality}


def leaderboard_unranked(*, board: Leaderboard) -> list[UnrankedRow]:
    """Published submissions on the board that could not be ranked, with the reason."""
    return list(
        LeaderboardEntry.objects.filter(
            leaderboard=board,
            valid_to__isnull=True,
            rank__isnull=True,
        )
        .order_by("published_at", "submission_id")
        .values(
            "submission_id", "organization", "system_name", "unranked_reason", "runs_total", "runs_converged"
        )
    )


def runs_curves(*, submission_ids: list[Any]) -> list[CurveRow]:
    """The quality-over-time curves of the given submissions' runs (one indexed query)."""
    from submissions.models import Run

    return list(
        Run.objects.filter(submission_id__in=submission_ids)
        .order_by("submission_id", "index")
        .values("submission_id", "index", "curve")
    )


@dataclass
class BoardSummary:
    benchmark: Benchmark
    level: Level
    board: Leaderboard | None


def home_boards() -> list[tuple[Suite, list[tuple[Benchmark, list[BoardSummary]]]]]:
    """Every suite, its benchmarks, and each benchmark x level board with its leader (full profile)."""
    suites = list(Suite.objects.prefetch_related("levels", "benchmarks"))
    boards = {}
    for board in Leaderboard.objects.filter(profile="full").select_related("leader__submission"):
        if board.leader is not None and board.leader.submission.status != Status.PUBLISHED:
            board.leader = None  # withdrawn a moment ago; its board is being recomputed
        boards[(board.benchmark_id, board.level_id)] = board
    return [
        (
            suite,
            [
                (
                    bench,
                    [BoardSummary(bench, lvl, boards.get((bench.pk, lvl.pk))) for lvl in suite.levels.all()],
                )
                for bench in suite.benchmarks.all()
            ],
        )
        for suite in suites
    ]
