"""The job state machine: every status and every allowed move, in one place.

Only `runners.services.job_transition` changes a job's status; it checks the move against
TRANSITIONS and appends a JobEvent in the same transaction.
"""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    LOST = "lost", "Lost"


TRANSITIONS: dict[str, frozenset[str]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.CANCELLED, JobStatus.FAILED}),
    JobStatus.RUNNING: frozenset({JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.LOST}),
    # LOST -> QUEUED is the one re-queue a job gets when its host stopped heart-beating;
    # the services decide whether it is still allowed (Job.attempt).
    JobStatus.LOST: frozenset({JobStatus.QUEUED}),
    JobStatus.FINISHED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}

# A runner works on a job only in these; anything else tells it to stop.
ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
# No move leaves these (LOST is final once its re-queue is spent, which services decide).
FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


class JobTransitionError(Exception):
    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = current, target
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none"
        super().__init__(f"A job cannot move from {current} to {target} (allowed: {allowed}).")


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise JobTransitionError(current, target)
