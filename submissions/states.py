"""The submission state machine: every status and every allowed move, in one place.

Only `submissions.services.submission_transition` changes a submission's status; it checks
the move against TRANSITIONS and appends a StatusEvent in the same transaction.
"""

from __future__ import annotations

from django.db import models


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

FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
# Statuses in which a submission is public.
PUBLIC = frozenset({Status.PUBLISHED})


class TransitionError(Exception):
    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = current, target
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none"
        super().__init__(f"A submission cannot move from {current} to {target} (allowed: {allowed}).")


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise TransitionError(current, target)
