"""The submission state machine: every status and every allowed move, in one place.

Only `submissions.services.submission_transition` changes a submission's status; through
MACHINE (benchcouncil.state_machine) it checks the move against TRANSITIONS, appends a
StatusEvent in the same transaction and sends the submission_status_changing/changed signals.
"""

from __future__ import annotations

from django.db import models

from benchcouncil import state_machine

from .signals import submission_status_changed, submission_status_changing


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    VALIDATING = "validating", "Validating"
    INVALID = "invalid", "Invalid"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUPERSEDED = "superseded", "Superseded"


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.VALIDATING, Status.WITHDRAWN}),
    # VALIDATING -> RECEIVED puts back a bundle whose validation was interrupted (a worker
    # died), so that it is validated again rather than stuck.
    Status.VALIDATING: frozenset({Status.INVALID, Status.AWAITING_REVIEW, Status.RECEIVED}),
    Status.INVALID: frozenset({Status.VALIDATING, Status.WITHDRAWN, Status.SUPERSEDED}),
    Status.AWAITING_REVIEW: frozenset(
        {
            Status.PUBLISHED,
            Status.REJECTED,
            Status.CHANGES_REQUESTED,
            Status.WITHDRAWN,
            Status.VALIDATING,
            Status.SUPERSEDED,
        }
    ),
    Status.CHANGES_REQUESTED: frozenset({Status.SUPERSEDED, Status.WITHDRAWN}),
    Status.PUBLISHED: frozenset({Status.WITHDRAWN, Status.SUPERSEDED}),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.SUPERSEDED: frozenset(),
}


class TransitionError(state_machine.TransitionError):
    """A move the submission state machine does not allow."""


MACHINE = state_machine.StateMachine(
    noun="submission",
    transitions=TRANSITIONS,
    error=TransitionError,
    events="submissions.StatusEvent",
    subject="submission",
    changing=submission_status_changing,
    changed=submission_status_changed,
)
FINAL = MACHINE.final
# Statuses in which a submission is public.
PUBLIC = frozenset({Status.PUBLISHED})
check_transition = MACHINE.check
