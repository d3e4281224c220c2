"""Receivers of `submission_status_changed`: mail the submitter, call the organization's webhooks.

The signal is sent after the status change commits, so the tasks always find the event.
"""

from __future__ import annotations

import logging
from typing import Any

from benchcouncil.task_names import NOTIFY_STATUS_CHANGE
from benchcouncil.tasks import enqueue

from .models import Provenance, StatusEvent, Submission
from .states import Status
from .webhooks import webhooks_dispatch

logger = logging.getLogger(__name__)


def on_status_changed_notify(
    sender: Any, *, submission: Submission, event: StatusEvent, **kwargs: Any
) -> None:
    if submission.provenance == Provenance.IMPORTED_UNVERIFIED and event.to_status == Status.PUBLISHED:
        # An import's owner is the staff member who ran it, and the command said what it published.
        return
    try:
        enqueue(NOTIFY_STATUS_CHANGE, event.pk)
    except Exception:
        # The status change has committed; a broker outage must not turn it into an error page.
        logger.exception("submission %s: could not queue the status email", submission.pk)


def on_status_changed_webhooks(
    sender: Any, *, submission: Submission, event: StatusEvent, **kwargs: Any
) -> None:
    try:
        webhooks_dispatch(event=event)
    except Exception:
        logger.exception("submission %s: could not queue webhook deliveries", submission.pk)
