"""A published result's place on its board, for the submission page (templates/submissions/detail.html).

A template tag rather than a call in the submission view: the submissions app never imports
the ranking app, and the page that shows both is where they meet.
"""

from __future__ import annotations

from typing import Any

from django import template

from ranking.result_page import result_standing_view
from submissions.models import Submission
from submissions.states import Status

register = template.Library()


@register.simple_tag
def result_standing(submission: Submission) -> dict[str, Any] | None:
    if submission.status != Status.PUBLISHED:
        return None
    return result_standing_view(submission_id=submission.pk)
