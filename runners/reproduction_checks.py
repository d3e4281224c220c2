"""Reproduction checks: a reviewer's request to re-run a submission, and the check's verdict.

The review page and the review API ask for checks through runners.reproduction_views and
runners.reproduction_api; submissions reads them by the reverse relation
`submission.reproduction_checks` only, and tells them about a validated runner bundle with
submission_status_changed (runners.receivers). Each check moves along CHECK_MACHINE, with its
history in ReproductionCheckEvent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from benchcouncil.state_machine import start, transition
from submissions.models import Submission
from submissions.review.safeguards import review_conflict
from submissions.states import Status

from .models import ReproductionCheck
from .reproduction import job_compare_with_submission, job_create_reproduction
from .states import CHECK_MACHINE, CheckStatus, CheckTransitionError, JobStatus

REPRODUCIBLE = frozenset({Status.AWAITING_REVIEW, Status.PUBLISHED})
VERDICTS: dict[bool | None, str] = {
    True: ReproductionCheck.Verdict.REPRODUCED,
    False: ReproductionCheck.Verdict.NOT_REPRODUCED,
    None: ReproductionCheck.Verdict.INCONCLUSIVE,
}


def reproduction_request(*, submission: Submission, actor: User, reason: str) -> ReproductionCheck:
    """Queue a runner job with the submission's configuration, to compare its figures later.

    Raises ValueError (ReproductionError among them) when it cannot be re-run.
    """
    conflict = review_conflict(actor, submission)
    if conflict:
        raise PermissionDenied(conflict)
    if not reason.strip():
        raise ValueError("A reproduction request needs a reason.")
    if submission.status not in REPRODUCIBLE or submission.benchmark_id is None:
        raise ValueError("Only validated submissions awaiting review or published can be reproduced.")
    with transaction.atomic():
        job = job_create_reproduction(submission=submission, requested_by=actor)
        check = ReproductionCheck.objects.create(
            submission=submission,
            job=job,
            tolerance=dict(getattr(settings, "REPRODUCTION_TOLERANCE", {})),
            requested_by=actor,
            reason=reason,
        )
        start(CHECK_MACHINE, check, actor=actor, reason=reason)
    return check


def reproduction_check_complete(*, check: ReproductionCheck) -> ReproductionCheck:
    """Compare the check's job's figures with its submission's and record the verdict.

    While nothing could be compared yet the verdict says so and the check stays open; a
    reproduction of another profile never can be, and ends inconclusive.
    """
    comparison = job_compare_with_submission(job=check.job)
    within = comparison.get("within_tolerance")
    verdict = VERDICTS[within]
    if comparison.get("comparable") is False:
        reason = f"Job {check.job_id} ran another profile than the original: no figure is comparable."
        return _end(check, CheckStatus.COMPLETED, reason, comparison=comparison, verdict=verdict)
    if within is None:
        check.comparison, check.verdict = comparison, verdict
        check.save(update_fields=["comparison", "verdict"])
        return check
    reason = f"Job {check.job_id}'s figures compared: {ReproductionCheck.Verdict(verdict).label}."
    return _end(check, CheckStatus.COMPLETED, reason, comparison=comparison, verdict=verdict)


def reproduction_check_fail(*, check: ReproductionCheck, error: str) -> ReproductionCheck:
    """The check's job failed or was cancelled: no verdict can be reached."""
    reason = f"Job {check.job_id} ended without a bundle to compare: {error}"
    verdict = ReproductionCheck.Verdict.INCONCLUSIVE
    return _end(check, CheckStatus.FAILED, reason, comparison={"error": error}, verdict=verdict)


def _end(check: ReproductionCheck, status: str, reason: str, **fields: Any) -> ReproductionCheck:
    fields["completed_at"] = timezone.now()
    ended, _ = transition(CHECK_MACHINE, check, to=status, actor=None, reason=reason, fields=fields)
    return ended


def reproduction_checks_refresh(*, submission: Submission) -> list[ReproductionCheck]:
    """Bring the submission's open checks up to date with their jobs.

    A job whose bundle has been validated is compared; one that failed or was cancelled ends
    its check without a verdict. Returns the checks updated.
    """
    updated = []
    open_checks = ReproductionCheck.objects.filter(submission=submission, status=CheckStatus.QUEUED)
    for check in open_checks.select_related("job__submission"):
        job = check.job
        try:
            if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
                error = job.failure_reason or "The job did not finish."
                updated.append(reproduction_check_fail(check=check, error=error))
            elif job.submission is not None and job.submission.validated_at is not None:
                updated.append(reproduction_check_complete(check=check))
        except CheckTransitionError:
            continue  # ended a moment ago by another refresh
    return updated


def reproduction_checks_on_validated(*, submission: Submission) -> list[ReproductionCheck]:
    """A runner's bundle was validated: complete the open checks of the jobs it came from."""
    originals = Submission.objects.filter(
        reproduction_checks__status=CheckStatus.QUEUED,
        reproduction_checks__job__submission=submission,
    ).distinct()
    return [check for original in originals for check in reproduction_checks_refresh(submission=original)]
