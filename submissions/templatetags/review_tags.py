"""Review panels for the submission page: `{% load review_tags %}`, then
`{% review_actions submission %}` and `{% review_audit_log submission %}`."""

from __future__ import annotations

from typing import Any

from django import template

from submissions.changes.forms import WithdrawForm
from submissions.changes.services import submission_can_correct
from submissions.models import Submission
from submissions.review import selectors
from submissions.selectors import submission_can_manage, submission_events_visible
from submissions.states import TRANSITIONS, Status

register = template.Library()


@register.inclusion_tag("review/_actions.html", takes_context=True)
def review_actions(context: dict[str, Any], submission: Submission) -> dict[str, Any]:
    user = context["request"].user
    can_withdraw = submission_can_manage(user, submission) and Status.WITHDRAWN in TRANSITIONS.get(
        submission.status, ()
    )
    return {
        "request": context["request"],
        "submission": submission,
        "is_reviewer": selectors.is_reviewer(user),
        "can_withdraw": can_withdraw,
        "can_correct": submission_can_correct(user, submission),
        "withdraw_form": WithdrawForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("review/_audit_log.html", takes_context=True)
def review_audit_log(context: dict[str, Any], submission: Submission) -> dict[str, Any]:
    user = context["request"].user
    return {
        "submission": submission,
        "events": submission_events_visible(user, submission),
        # Reviewers' names are for staff; the public reads "a reviewer".
        "show_actors": user.is_staff,
    }
