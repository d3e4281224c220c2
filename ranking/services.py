"""Writes for the ranking app."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from benchcouncil.task_names import RECOMPUTE_LEADERBOARD
from benchcouncil.tasks import enqueue
from catalogue.models import Benchmark, Level

from .cache import forget_versions
from .models import Leaderboard, LeaderboardEntry
from .scoring import Rules, RunFigures, Score, better_first_key, score_submission
from .selectors import ROW_FIELDS

logger = logging.getLogger(__name__)

# --- Leaderboards ------------------------------------------------------------------------
# Boards are recomputed from the published submissions' runs when a submission enters or
# leaves the published state and when a benchmark's rules change; pages only read the
# rows written here.

PROFILES = ("full", "smoke")
LEADER_CATEGORY = "available"
TIE_RULE = "better score, then earlier publication, then submission id"


def leaderboard_enqueue_recompute(*, benchmark_id: int, level_id: int, profile: str) -> None:
    """Queue one board's recompute by task name; recompute here if the broker is down."""
    kwargs: dict[str, Any] = {"benchmark_id": benchmark_id, "level_id": level_id, "profile": profile}
    try:
        enqueue(RECOMPUTE_LEADERBOARD, **kwargs)
    except OperationalError:
        # A stale board is worse than a slow request: the publishing request pays instead.
        logger.warning("broker unreachable; recomputing %s inline", kwargs, exc_info=True)
        leaderboard_recompute(benchmark_id=benchmark_id, level_id=level_id, profile=profile)


def leaderboards_enqueue_for_benchmark(*, benchmark: Benchmark) -> None:
    for level in benchmark.suite.levels.all():
        for profile in PROFILES:
            leaderboard_enqueue_recompute(benchmark_id=benchmark.pk, level_id=level.pk, profile=profile)


@transaction.atomic
def leaderboard_recompute(
    *, benchmark_id: int, level_id: int, profile: str, now: datetime | None = None
) -> Leaderboard:
    """Rank the board's published submissions and record what changed since the last time."""
    board, _ = Leaderboard.objects.get_or_create(
        benchmark_id=benchmark_id, level_id=level_id, profile=profile
    )
    # Serialise recomputes of one board: two at once would both open rows for the same entry.
    board = (
        Leaderboard.objects.select_for_update(of=("self",))
        .select_related("benchmark", "level")
        .get(pk=board.pk)
    )
    now = now or timezone.now()
    fresh = _rank(board, _score_published(board))
    current = {
        e["submission_id"]: e
        for e in LeaderboardEntry.objects.filter(board_current_q(board)).values("id", *ENTRY_FIELDS)
    }

    to_close: list[int] = []
    to_open: list[LeaderboardEntry] = []
    seen = _ever_on_board(board, [sid for sid in fresh if sid not in current])
    for submission_id, fields in fresh.items():
        existing = current.pop(submission_id, None)
        if existing is not None and all(existing[name] == fields[name] for name in ENTRY_FIELDS):
            continue
        if existing is not None:
            to_close.append(existing["id"])
        valid_from = now if existing is not None or submission_id in seen else _first_day(fields, now)
        to_open.append(LeaderboardEntry(leaderboard=board, valid_from=valid_from, **fields))
    to_close.extend(e["id"] for e in current.values())  # no longer published

    for start in range(0, len(to_close), 500):
        LeaderboardEntry.objects.filter(pk__in=to_close[start : start + 500]).update(valid_to=now)
    LeaderboardEntry.objects.bulk_create(to_open, batch_size=1000)
    _summarise(board, fresh, now)
    return board


def _ever_on_board(board: Leaderboard, submission_ids: list[Any]) -> set[Any]:
    found: set[Any] = set()
    for start in range(0, len(submission_ids), 500):
        found.update(
            LeaderboardEntry.objects.filter(
                leaderboard=board, submission_id__in=submission_ids[start : start + 500]
            ).values_list("submission_id", flat=True)
        )
    return found


def _first_day(fields: dict[str, Any], now: datetime) -> datetime:
    """A result's first row on a board holds from its publication: an import dated in the
    past (a published list's published_on) is on the board "as of" that date."""
    published = fields["published_at"]
    return published if published is not None and published < now else now


@transaction.atomic
def leaderboard_entries_close(*, submission_id: Any, now: datetime | None = None) -> int:
    """Take a submission off every board now (it left the published state): its rows, and the
    counts, leader and filter choices of each board it was on, in the caller's transaction."""
    board_ids = list(
        LeaderboardEntry.objects.filter(submission_id=submission_id).values_list("leaderboard_id", flat=True)
    )
    # Locked in id order, as a recompute locks its board: the two never interleave on one board.
    boards = list(Leaderboard.objects.select_for_update().filter(pk__in=set(board_ids)).order_by("pk"))
    closed = LeaderboardEntry.objects.filter(submission_id=submission_id, valid_to__isnull=True).update(
        valid_to=now or timezone.now()
    )
    # Its past rows leave the boards' history too (past boards show published results only):
    # every board it was ever on changes.
    for board in boards:
        current = LeaderboardEntry.objects.filter(board_current_q(board)).values(*SUMMARY_FIELDS)
        _summary_set(board, {row["submission_id"]: row for row in current})
        board.save()
    transaction.on_commit(forget_versions)  # this process's readers see it on their next request
    return closed


def board_current_q(board: Leaderboard) -> Q:
    return Q(leaderboard=board, valid_to__isnull=True)


def leaderboard_rules(benchmark: Benchmark, level: Level, profile: str = "full") -> Rules:
    return Rules(
        ranking_metric=benchmark.ranking_metric,
        target_quality=benchmark.target_quality,
        vflops_exponent=benchmark.vflops_exponent,
        per_sample_training_flops=benchmark.per_sample_training_flops,
        model_may_change=level.model_may_change,
        required_runs=benchmark.required_runs,
        aggregation=benchmark.aggregation,
        quality_cap=benchmark.quality_cap,
        higher_is_better=benchmark.higher_is_better,
        profile=profile,
    )


# The fields of an entry that a recompute sets; an entry whose fields are all unchanged keeps
# its row (and its valid_from).
ENTRY_FIELDS = (*ROW_FIELDS, "unranked_reason")


# What a recompute reads of each published submission (values, not models: boards hold
# thousands of submissions and only these fields matter).
SUBMISSION_FIELDS = (
    "id",
    "organization__name",
    "organization_name",
    "system_name",
    "system_description",
    "availability",
    "provenance",
    "published_at",
    "per_sample_training_flops",
)
RUN_FIELDS = (
    "submission_id",
    "achieved_quality",
    "time_to_train_s",
    "time_to_quality_s",
    "samples_processed",
    "converged",
)


def _score_published(board: Leaderboard) -> list[tuple[dict[str, Any], Score]]:
    from submissions.models import Provenance, Run, Submission
    from submissions.states import Status

    rules = leaderboard_rules(board.benchmark, board.level, board.profile)
    published = Submission.objects.filter(
        status=Status.PUBLISHED,
        benchmark_id=board.benchmark_id,
        level_id=board.level_id,
        profile=board.profile,
    )
    runs: dict[Any, list[RunFigures]] = {}
    for run in (
        Run.objects.filter(submission__in=published.values("pk"))
        .order_by("submission_id", "index")
        .values_list(*RUN_FIELDS)
    ):
        runs.setdefault(run[0], []).append(RunFigures(*run[1:]))
    return [
        (
            sub,
            score_submission(
                rules,
                runs.get(sub["id"], []),
                sub["per_sample_training_flops"],
                # A published list reports the runs it reports; an uploaded bundle had to have them all.
                as_reported=sub["provenance"] == Provenance.IMPORTED_UNVERIFIED,
            ),
        )
        for sub in published.values(*SUBMISSION_FIELDS)
    ]


def _rank(board: Leaderboard, scored: list[tuple[dict[str, Any], Score]]) -> dict[Any, dict[str, Any]]:
    metric = board.benchmark.ranking_metric
    far_future = datetime.max.replace(tzinfo=UTC)

    apart = board.benchmark.reported_results == "after_others"

    def order(item: tuple[dict[str, Any], Score]) -> tuple[bool, float, datetime, str]:
        submission, score = item
        assert score.value is not None
        return (
            apart and score.as_reported,
            better_first_key(metric, score.value),
            submission["published_at"] or far_future,
            str(submission["id"]),
        )

    ranked = sorted((item for item in scored if item[1].ranked), key=order)
    per_category: dict[str, int] = {}
    rows: dict[Any, dict[str, Any]] = {}
    for position, (submission, score) in enumerate(ranked, 1):
        category = submission["availability"]
        per_category[category] = per_category.get(category, 0) + 1
        rows[submission["id"]] = _row(submission, score, position, per_category[category])
    for submission, score in scored:
        if not score.ranked:
            rows[submission["id"]] = _row(submission, score, None, None)
    return rows


def _row(
    submission: dict[str, Any], score: Score, rank: int | None, category_rank: int | None
) -> dict[str, Any]:
    system = submission["system_description"] or {}
    nodes = _int(system.get("number_of_nodes"))
    per_node = _int(system.get("accelerators_per_node"))
    organization = submission["organization__name"] or submission["organization_name"]
    return {
        "submission_id": submission["id"],
        "rank": rank,
        "category_rank": category_rank,
        "unranked_reason": score.reason[:200],
        "score": score.value,
        "score_min": score.minimum,
        "score_max": score.maximum,
        "score_cv": score.cv,
        "flops": score.flops,
        "time_s": score.time_s,
        "quality": score.quality,
        "runs_total": score.runs_total,
        "runs_converged": score.runs_converged,
        "runs_counted": score.runs_counted,
        "organization": (organization or "")[:200],
        "system_name": (submission["system_name"] or str(system.get("system_name", "")))[:200],
        "accelerator": str(system.get("accelerator_model_name") or ("CPU" if per_node == 0 else ""))[:200],
        "accelerator_count": min(nodes * per_node, MAX_COUNT),
        "nodes": nodes,
        "framework": str(system.get("framework", ""))[:200],
        "availability": submission["availability"],
        "provenance": submission["provenance"],
        "published_at": submission["published_at"],
    }


# The counts' columns are PostgreSQL INTEGERs; system.json may state counts as digit strings of
# any length, and one overflowing row would fail the whole board's recompute.
MAX_COUNT = 2**31 - 1


def _int(value: object) -> int:
    try:
        return min(max(int(value), 0), MAX_COUNT)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 0


SUMMARY_FIELDS = ("submission_id", "rank", "availability", "accelerator", "framework", "organization")


def _summarise(board: Leaderboard, rows: dict[Any, dict[str, Any]], now: datetime) -> None:
    _summary_set(board, rows)
    board.computed_at = now
    board.save()
    transaction.on_commit(forget_versions)  # this process's readers see it on their next request


def _summary_set(board: Leaderboard, rows: dict[Any, dict[str, Any]]) -> None:
    """The counts, filter choices and leader a reader sees, from the board's current rows."""
    ranked = [r for r in rows.values() if r["rank"] is not None]
    categories: dict[str, int] = {}
    for row in ranked:
        categories[row["availability"]] = categories.get(row["availability"], 0) + 1
    board.ranked_count = len(ranked)
    board.unranked_count = len(rows) - len(ranked)
    board.category_counts = categories
    board.facets = {
        name: sorted({row[name] for row in ranked if row[name]})
        for name in ("accelerator", "framework", "organization")
    }
    # The leader is the best result on sale (preview and research systems are ranked apart): the
    # best current category rank, 1 until a withdrawal's recompute closes the gap.
    board.leader = (
        LeaderboardEntry.objects.filter(
            board_current_q(board), availability=LEADER_CATEGORY, category_rank__isnull=False
        )
        .order_by("category_rank", "rank")
        .first()
    )
    board.changed_at = timezone.now()  # the clock, not `now`: a recompute may be dated in the past
