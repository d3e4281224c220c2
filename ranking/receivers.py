"""What the ranking app does when other parts of the service change something.

A result leaves the boards inside the transaction that moves it out of PUBLISHED (rows,
counts and filter choices at once); the recompute that closes the gap in the ranks, and every
recompute after a publication or a rule change, runs after the change committed, reading
committed rows.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from catalogue.models import Benchmark
from catalogue.signals import benchmark_rules_changed
from submissions.signals import (
    submission_listing_changed,
    submission_status_changed,
    submission_status_changing,
)
from submissions.states import Status

from .services import (
    leaderboard_enqueue_recompute,
    leaderboard_entries_close,
    leaderboards_enqueue_for_benchmark,
)


@receiver(submission_status_changed, dispatch_uid="ranking.rerank_on_status_change")
def rerank_on_status_change(sender: Any, submission: Any, event: Any, **kwargs: Any) -> None:
    # Published, withdrawn or superseded: only a move into or out of PUBLISHED changes a board.
    if Status.PUBLISHED in (event.from_status, event.to_status):
        _rerank(submission)


@receiver(submission_listing_changed, dispatch_uid="ranking.rerank_on_listing_change")
def rerank_on_listing_change(sender: Any, submission: Any, **kwargs: Any) -> None:
    # A new provenance or organization shows on the board only while the result is on it.
    if submission.status == Status.PUBLISHED:
        _rerank(submission)


def _rerank(submission: Any) -> None:
    if submission.benchmark_id is None or submission.level_id is None:
        return
    leaderboard_enqueue_recompute(
        benchmark_id=submission.benchmark_id, level_id=submission.level_id, profile=submission.profile
    )


@receiver(submission_status_changing, dispatch_uid="ranking.unpublish_with_the_status")
def unpublish_with_the_status(sender: Any, submission: Any, event: Any, **kwargs: Any) -> None:
    if event.from_status == Status.PUBLISHED:
        leaderboard_entries_close(submission_id=submission.pk)


@receiver(benchmark_rules_changed, dispatch_uid="ranking.rerank_on_rules_change")
def rerank_on_rules_change(sender: Any, benchmarks: list[Benchmark], **kwargs: Any) -> None:
    for benchmark in benchmarks:
        leaderboards_enqueue_for_benchmark(benchmark=benchmark)
