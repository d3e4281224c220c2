"""Writes for a submitter's own changes: withdrawing a submission, correcting one.

Every status change goes through `submissions.services.submission_transition`; these
functions decide who may ask for which.
"""

from __future__ import annotations

from typing import IO

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from submissions.models import Submission
from submissions.selectors import submission_can_manage
from submissions.services import submission_create, submission_transition
from submissions.states import Status, check_transition

# A submitter corrects a bundle a reviewer sent back, or one that failed validation.
CORRECTABLE = frozenset({Status.CHANGES_REQUESTED, Status.INVALID})


def submission_withdraw(*, submission: Submission, actor: User, reason: str) -> Submission:
    """Withdrawal by its owner, a member of its organization, or staff."""
    if not submission_can_manage(actor, submission):
        raise PermissionDenied("Only the submitter, the organization's members or staff may withdraw it.")
    return submission_transition(submission=submission, to=Status.WITHDRAWN, actor=actor, reason=reason)


def submission_can_correct(user: User, submission: Submission) -> bool:
    """Corrections come from the submitting side only: the owner or an organization member."""
    if not user.is_authenticated or submission.status not in CORRECTABLE:
        return False
    if submission.owner_id == user.pk:
        return True
    return (
        submission.organization_id is not None
        and user.memberships.filter(organization_id=submission.organization_id).exists()
    )


def submission_correct(
    *, submission: Submission, actor: User, bundle: IO[bytes], bundle_name: str, reason: str
) -> Submission:
    """Store a corrected bundle as a new submission that supersedes this one.

    The old submission moves to superseded in the same transaction, so the history of
    both stays, linked by `supersedes`; the new one is validated like any other.
    """
    if not reason.strip():
        raise ValueError("Every status change needs a reason.")
    if not submission_can_correct(actor, submission):
        raise PermissionDenied("Only the submitter or the organization's members may correct it.")
    check_transition(submission.status, Status.SUPERSEDED)
    with transaction.atomic():
        corrected, _ = submission_create(
            owner=actor,
            bundle=bundle,
            bundle_name=bundle_name,
            organization=submission.organization,
            # A correction is the submitter's own bundle: it never inherits runner-verified.
            supersedes=submission,
        )
        submission_transition(
            submission=submission,
            to=Status.SUPERSEDED,
            actor=actor,
            reason=f"Corrected by submission {corrected.pk}: {reason}",
        )
    return corrected
