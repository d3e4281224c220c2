"""Reads for the ranking app: boards and their pages, from the precomputed rows only.

A page of a board is one indexed query over LeaderboardEntry (the current rows sit in a
partial index on (leaderboard, rank)). Only published submissions have current rows: a
withdrawal closes its rows the moment it commits, before its board is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from typing import Any, TypedDict
from uuid import UUID

from django.db.models import Q, QuerySet

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

# A row's figures beyond its score, and the system it ran on: the page, the JSON endpoint
# and the CSV export each show both groups, in their own column order.
FIGURE_FIELDS = (
    "score_min",
    "score_max",
    "score_cv",
    "flops",
    "time_s",
    "quality",
    "runs_total",
    "runs_converged",
    "runs_counted",
)
SYSTEM_FIELDS = (
    "organization",
    "system_name",
    "accelerator",
    "accelerator_count",
    "nodes",
    "framework",
    "availability",
    "provenance",
)

# The columns a page, the JSON endpoint and the CSV export read.
ROW_FIELDS = (
    "submission_id",
    "rank",
    "category_rank",
    "score",
    *FIGURE_FIELDS,
    *SYSTEM_FIELDS,
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


def leaderboard_named(*, suite: str, benchmark: str, level: str, profile: str) -> QuerySet[Leaderboard]:
    """The board a URL names, as a query (at most one row)."""
    return Leaderboard.objects.filter(
        benchmark__suite__slug=suite, benchmark__slug=benchmark, level__slug=level, profile=profile
    )


def leaderboard_get(*, suite: str, benchmark: str, level: str, profile: str = "full") -> Leaderboard | None:
    """The board a URL names, with its benchmark, suite and level loaded: one query."""
    boards = leaderboard_named(suite=suite, benchmark=benchmark, level=level, profile=profile)
    return boards.select_related("benchmark__suite", "level").first()


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
