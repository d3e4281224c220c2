"""Writes for review and publication.

Every status change goes through `submissions.services.submission_transition`, which checks
the state machine and appends the StatusEvent; these functions decide who may ask for which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from submissions.models import Submission
from submissions.selectors import submission_can_manage, user_is_member
from submissions.services import submission_create, submission_transition
from submissions.states import Status, TransitionError, check_transition

from .safeguards import review_conflict

# Reviewer decisions and the status each one moves a submission to.
DECISIONS: dict[str, str] = {
    "approve": Status.PUBLISHED,
    "reject": Status.REJECTED,
    "request_changes": Status.CHANGES_REQUESTED,
    "supersede": Status.SUPERSEDED,
    "withdraw": Status.WITHDRAWN,
}
# A submitter corrects a bundle a reviewer sent back, or one that failed validation.
CORRECTABLE = frozenset({Status.CHANGES_REQUESTED, Status.INVALID})


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


def submission_withdraw(*, submission: Submission, actor: User, reason: str) -> Submission:
    """Withdrawal by its owner, a member of its organization, or staff."""
    if not submission_can_manage(actor, submission):
        raise PermissionDenied("Only the submitter, the organization's members or staff may withdraw it.")
    return submission_transition(submission=submission, to=Status.WITHDRAWN, actor=actor, reason=reason)


def submission_can_correct(user: User, submission: Submission) -> bool:
    """Corrections come from the submitting side only: the owner or an organization member."""
    if not user.is_authenticated or submission.status not in CORRECTABLE:
        return False
    return submission.owner_id == user.pk or user_is_member(user, submission.organization_id)


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
