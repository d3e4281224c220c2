"""Celery tasks of the submissions app: thin wrappers that call a service."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from benchcouncil.task_names import SWEEP_STUCK_SUBMISSIONS, VALIDATE_SUBMISSION

from .services import submission_validate
from .sweeps import submission_sweep_stuck


@shared_task(name=VALIDATE_SUBMISSION, acks_late=True, reject_on_worker_lost=True)
def validate_submission(submission_id: str) -> None:
    submission_validate(submission_id=submission_id)


@shared_task(name=SWEEP_STUCK_SUBMISSIONS)
def sweep_stuck_submissions() -> list[str]:
    return submission_sweep_stuck(older_than=timedelta(minutes=settings.STUCK_SUBMISSION_MINUTES))
