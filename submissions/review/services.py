"""Writes for review and publication.

Every status change goes through `submissions.services.submission_transition`, which checks
the state machine and appends the StatusEvent; these functions decide who may ask for which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from submissions.models import ReproductionCheck, Submission
from submissions.services import submission_transition
from submissions.states import Status, TransitionError

from .safeguards import review_conflict

# Reviewer decisions and the status each one moves a submission to.
DECISIONS: dict[str, str] = {
    "approve": Status.PUBLISHED,
    "reject": Status.REJECTED,
    "request_changes": Status.CHANGES_REQUESTED,
    "supersede": Status.SUPERSEDED,
    "withdraw": Status.WITHDRAWN,
}
REPRODUCIBLE = frozenset({Status.AWAITING_REVIEW, Status.PUBLISHED})


def review_decide(
    *, submission: Submission, decision: str, actor: User, reason: str, public: bool = True
) -> Submission:
    """A reviewer's decision: approve (publish), reject, request changes, supersede or withdraw.

    Raises PermissionDenied for a reviewer with a conflict of interest (see safeguards).
    """
    conflict = review_conflict(actor, submission)
    if conflict:
        raise PermissionDenied(conflict)
    if decision not in DECISIONS:
        raise ValueError(f"Unknown decision {decision!r}.")
    if not reason.strip():
        raise ValueError("Every decision needs a reason.")
    return submission_transition(
        submission=submission, to=DECISIONS[decision], actor=actor, reason=reason, public=public
    )


@dataclass(frozen=True)
class DecisionOutcome:
    submission_id: UUID
    decided: bool
    status: str
    detail: str


def review_decide_many(
    *, submission_ids: list[UUID], decision: str, actor: User, reason: str, public: bool = True
) -> list[DecisionOutcome]:
    """One decision for several submissions, each recorded with the reason; each one stands alone.

    A submission this reviewer may not decide on, or one no longer awaiting this decision, is
    left as it is and reported; the others are decided.
    """
    if decision not in DECISIONS:
        raise ValueError(f"Unknown decision {decision!r}.")
    if not reason.strip():
        raise ValueError("Every decision needs a reason.")
    found = Submission.objects.in_bulk(submission_ids)
    outcomes = []
    for pk in submission_ids:
        submission = found.get(pk)
        if submission is None:
            outcomes.append(DecisionOutcome(pk, False, "", "No such submission."))
            continue
        try:
            review_decide(submission=submission, decision=decision, actor=actor, reason=reason, public=public)
        except (PermissionDenied, TransitionError) as exc:
            outcomes.append(DecisionOutcome(pk, False, submission.status, str(exc)))
        else:
            outcomes.append(DecisionOutcome(pk, True, submission.status, "Decided."))
    return outcomes


def reproduction_request(*, submission: Submission, actor: User, reason: str) -> ReproductionCheck:
    """Queue a runner job with the submission's configuration, to compare its figures later.

    Raises ValueError (the runners' ReproductionError among them) when it cannot be re-run.
    """
    conflict = review_conflict(actor, submission)
    if conflict:
        raise PermissionDenied(conflict)
    if not reason.strip():
        raise ValueError("A reproduction request needs a reason.")
    if submission.status not in REPRODUCIBLE or submission.benchmark_id is None:
        raise ValueError("Only validated submissions awaiting review or published can be reproduced.")
    # Imported here: the runners app depends on submissions, not the other way round.
    from runners.services import job_create_reproduction

    with transaction.atomic():
        job = job_create_reproduction(submission=submission, requested_by=actor)
        return ReproductionCheck.objects.create(
            submission=submission,
            job_id=str(job.pk),
            tolerance=dict(getattr(settings, "REPRODUCTION_TOLERANCE", {})),
            requested_by=actor,
            reason=reason,
        )


def reproduction_check_complete(*, job: Any) -> ReproductionCheck | None:
    """Compare a reproduction job's figures with its submission's and record the verdict.

    Called when the job's own submission has been validated (see submissions.receivers);
    returns None for a job no check asked for.
    """
    check = ReproductionCheck.objects.filter(job_id=str(job.pk)).first()
    if check is None:
        return None
    from runners.services import job_compare_with_submission

    comparison = job_compare_with_submission(job=job)
    within = comparison.get("within_tolerance")
    check.comparison = comparison
    check.verdict = VERDICTS[within]
    if within is not None:
        check.status = ReproductionCheck.State.COMPLETED
        check.completed_at = timezone.now()
    check.save(update_fields=["comparison", "verdict", "status", "completed_at"])
    return check


VERDICTS: dict[bool | None, str] = {
    True: ReproductionCheck.Verdict.REPRODUCED,
    False: ReproductionCheck.Verdict.NOT_REPRODUCED,
    None: ReproductionCheck.Verdict.INCONCLUSIVE,
}


def reproduction_check_fail(*, job_id: object, error: str) -> ReproductionCheck | None:
    """A reproduction job that failed or was cancelled: no verdict can be reached."""
    check = ReproductionCheck.objects.filter(job_id=str(job_id)).first()
    if check is None:
        return None
    check.status = ReproductionCheck.State.FAILED
    check.verdict = ReproductionCheck.Verdict.INCONCLUSIVE
    check.comparison = {"error": error}
    check.completed_at = timezone.now()
    check.save(update_fields=["status", "verdict", "comparison", "completed_at"])
    return check


def reproduction_checks_refresh(*, submission: Submission) -> list[ReproductionCheck]:
    """Bring the submission's open checks up to date with their jobs.

    A job whose bundle has been validated is compared; one that failed, was cancelled or
    was lost for good ends its check without a verdict.
    """
    from runners.models import Job
    from runners.states import JobStatus

    updated = []
    for check in submission.reproduction_checks.filter(status=ReproductionCheck.State.QUEUED):
        job = Job.objects.filter(pk=check.job_id).select_related("submission").first()
        if job is None or job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            reason = job.failure_reason if job else ""
            updated.append(
                reproduction_check_fail(job_id=check.job_id, error=reason or "The job did not finish.")
            )
        elif job.submission is not None and job.submission.validated_at is not None:
            updated.append(reproduction_check_complete(job=job))
    return [c for c in updated if c is not None]


def reproduction_checks_on_validated(*, submission: Submission) -> list[ReproductionCheck]:
    """A runner's bundle was validated: complete the checks of the jobs it came from."""
    job_ids = [
        str(pk)
        for pk in submission.runner_jobs.filter(reproduction_of__isnull=False).values_list("pk", flat=True)
    ]
    if not job_ids:
        return []
    done = []
    for original_id in ReproductionCheck.objects.filter(
        job_id__in=job_ids, status=ReproductionCheck.State.QUEUED
    ).values_list("submission_id", flat=True):
        done += reproduction_checks_refresh(submission=Submission.objects.get(pk=original_id))
    return done
