"""Writes for review and publication.

Every status change goes through `submissions.services.submission_transition`, which checks
the state machine and appends the StatusEvent; these functions decide who may ask for which.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from submissions.models import Submission
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
