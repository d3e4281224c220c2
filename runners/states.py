"""The job state machine: every status and every allowed move, in one place.

Only `runners.services.job_transition` changes a job's status; through MACHINE
(benchcouncil.state_machine) it checks the move against TRANSITIONS and appends a JobEvent in
the same transaction. A reproduction check has a machine of its own, CHECK_MACHINE.
"""

from __future__ import annotations

from django.db import models

from benchcouncil import state_machine


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


class JobTransitionError(state_machine.TransitionError):
    """A move the job state machine does not allow."""


MACHINE = state_machine.StateMachine(
    noun="job",
    transitions=TRANSITIONS,
    error=JobTransitionError,
    events="runners.JobEvent",
    subject="job",
    reason_required="Every job status change needs a reason.",
)
# A runner works on a job only in these; anything else tells it to stop.
ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
# No move leaves these (LOST is final once its re-queue is spent, which services decide).
FINAL = MACHINE.final
check_transition = MACHINE.check


# --- Reproduction checks ---------------------------------------------------------------


class CheckStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


CHECK_TRANSITIONS: dict[str, frozenset[str]] = {
    # A check ends with its job: compared once the job's bundle is validated, failed when the
    # job ended without one.
    CheckStatus.QUEUED: frozenset({CheckStatus.COMPLETED, CheckStatus.FAILED}),
    CheckStatus.COMPLETED: frozenset(),
    CheckStatus.FAILED: frozenset(),
}


class CheckTransitionError(state_machine.TransitionError):
    """A move the reproduction check state machine does not allow."""


CHECK_MACHINE = state_machine.StateMachine(
    noun="reproduction check",
    transitions=CHECK_TRANSITIONS,
    error=CheckTransitionError,
    events="runners.ReproductionCheckEvent",
    subject="reproduction_check",
)
