"""What the ranking app does when other parts of the service change something.

Both signals are sent after the change committed, so the recompute reads committed rows.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from submissions.signals import submission_status_changed
from submissions.states import Status

from .models import Benchmark
from .services import (
    benchmark_rules_changed,
    leaderboard_enqueue_recompute,
    leaderboard_entries_close,
    leaderboards_enqueue_for_benchmark,
)


@receiver(submission_status_changed, dispatch_uid="ranking.rerank_on_status_change")
def rerank_on_status_change(sender: Any, submission: Any, event: Any, **kwargs: Any) -> None:
    # Published, withdrawn or superseded: only a move into or out of PUBLISHED changes a board.
    if Status.PUBLISHED not in (event.from_status, event.to_status):
        return
    if event.from_status == Status.PUBLISHED:
        # Off the boards at once; the recompute then closes the gap in the ranks.
        leaderboard_entries_close(submission_id=submission.pk)
    if submission.benchmark_id is None or submission.level_id is None:
        return
    leaderboard_enqueue_recompute(
        benchmark_id=submission.benchmark_id, level_id=submission.level_id, profile=submission.profile
    )


@receiver(benchmark_rules_changed, dispatch_uid="ranking.rerank_on_rules_change")
def rerank_on_rules_change(sender: Any, benchmarks: list[Benchmark], **kwargs: Any) -> None:
    for benchmark in benchmarks:
        leaderboards_enqueue_for_benchmark(benchmark=benchmark)
