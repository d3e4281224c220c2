"""Periodic repair: submissions that stopped moving before validation finished.

A bundle can stall in `received` (its validation task was lost: the broker restarted before
the message was persisted, or the web process died between commit and enqueue) or in
`validating` (the worker running it died and the broker did not hand the task out again).
Celery beat runs `submission_sweep_stuck` every few minutes; it puts each such submission back
in the queue. Validation is idempotent, so a duplicate task does no harm.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from .models import Submission
from .services import submission_enqueue_validation, submission_transition
from .states import Status

logger = logging.getLogger(__name__)

STUCK_STATUSES = (Status.RECEIVED, Status.VALIDATING)
# Bounded so that one sweep after a long outage does not flood the queue in one go.
BATCH_SIZE = 200


def submission_sweep_stuck(*, older_than: timedelta, now: datetime | None = None) -> list[str]:
    """Queue again the validation of submissions unchanged for `older_than`; returns their ids."""
    cutoff = (now or timezone.now()) - older_than
    stuck = list(
        Submission.objects.filter(status__in=STUCK_STATUSES, updated_at__lt=cutoff)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:BATCH_SIZE]
    )
    requeued = [str(pk) for pk in stuck if _requeue(pk, cutoff=cutoff, older_than=older_than)]
    if requeued:
        logger.warning("re-queued %d stuck submission(s): %s", len(requeued), ", ".join(requeued))
    return requeued


@transaction.atomic
def _requeue(pk: UUID, *, cutoff: datetime, older_than: timedelta) -> bool:
    # Checked again under the row lock: a worker may have moved it since the list was read.
    submission = (
        Submission.objects.select_for_update()
        .filter(pk=pk, status__in=STUCK_STATUSES, updated_at__lt=cutoff)
        .first()
    )
    if submission is None:
        return False
    minutes = int(older_than.total_seconds() // 60)
    if submission.status == Status.VALIDATING:
        submission_transition(
            submission=submission,
            to=Status.RECEIVED,
            actor=None,
            reason=f"Validation did not finish within {minutes} minutes; it was queued again.",
        )
    else:
        # No status move to record; the touch restarts the clock so the next sweep waits.
        submission.save(update_fields=["updated_at"])
    transaction.on_commit(lambda: submission_enqueue_validation(submission_id=pk))
    return True
