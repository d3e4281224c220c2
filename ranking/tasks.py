"""Celery tasks of the ranking app: thin wrappers that call a service."""

from celery import shared_task

from benchcouncil.task_names import RECOMPUTE_LEADERBOARD

from .services import leaderboard_recompute


@shared_task(name=RECOMPUTE_LEADERBOARD, acks_late=True, reject_on_worker_lost=True)
def recompute_leaderboard(benchmark_id: int, level_id: int, profile: str) -> None:
    # Idempotent: a duplicate delivery finds nothing changed and writes nothing but the summary.
    leaderboard_recompute(benchmark_id=benchmark_id, level_id=level_id, profile=profile)
