"""Receivers of submissions' signals: what a submission's status change means for runners."""

from __future__ import annotations

import logging
from typing import Any

from submissions.models import Provenance, StatusEvent, Submission
from submissions.states import Status

from .reproduction_checks import reproduction_checks_on_validated

logger = logging.getLogger(__name__)


def on_status_changed_reproductions(
    sender: Any, *, submission: Submission, event: StatusEvent, **kwargs: Any
) -> None:
    # Only a validated runner bundle can complete a reproduction check.
    if event.from_status != Status.VALIDATING or submission.provenance != Provenance.RUNNER_VERIFIED:
        return
    try:
        reproduction_checks_on_validated(submission=submission)
    except Exception:
        logger.exception("submission %s: could not compare reproductions", submission.pk)
