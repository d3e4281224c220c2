"""Review pages, for staff: the queue, a submission's review, decisions, reproductions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from benchcouncil.auth import signed_in_user
from submissions.display import FINDINGS_SHOWN, ROWS_SHOWN, cut, findings_ordered, system_items
from submissions.models import Submission
from submissions.selectors import submission_events_visible
from submissions.states import TransitionError
from submissions.views import form_applied, form_errors

from . import selectors, services
from .forms import BulkDecisionForm, DecisionForm, ReproductionForm
from .queue import QueueFilterForm, review_queue_filtered
from .safeguards import duplicate_matches, review_conflict


def reviewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.is_reviewer(request.user):
            raise PermissionDenied("Reviewers only.")
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@reviewer_required
def review_queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    entries = review_queue_filtered(signed_in_user(request), cleaned)
    context = {
        "entries": entries,
        "submissions": [entry.submission for entry in entries],
        "filters": filters,
        "bulk_form": BulkDecisionForm(),
    }
    return render(request, "review/queue.html", context)


@require_POST
@reviewer_required
def review_bulk_decide(request: HttpRequest) -> HttpResponse:
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("review:queue")
    data = form.cleaned_data
    outcomes = services.review_decide_many(
        submission_ids=data["submissions"],
        decision=data["decision"],
        actor=signed_in_user(request),
        reason=data["reason"],
        public=data["public"],
    )
    for outcome in outcomes:
        if outcome.decided:
            messages.success(request, f"{outcome.submission_id} is now {outcome.status.replace('_', ' ')}.")
        else:
            messages.error(request, f"{outcome.submission_id} was left as it is: {outcome.detail}")
    return redirect("review:queue")


@require_GET
@reviewer_required
def review_detail(request: HttpRequest, submission_id: UUID) -> HttpResponse:
    submission = get_object_or_404(
        Submission.objects.select_related("owner", "organization", "suite", "benchmark", "level"),
        pk=submission_id,
    )
    earlier = selectors.earlier_submissions(submission)
    context = {
        "submission": submission,
        "runs": submission.runs.all(),
        "findings": cut(list(findings_ordered(submission)[: FINDINGS_SHOWN + 1]), FINDINGS_SHOWN),
        "findings_count": submission.findings.count(),
        "curves": selectors.run_curves(submission),
        "hyperparameters": selectors.hyperparameter_diff_shown(submission, limit=ROWS_SHOWN),
        "software": cut(selectors.software_diff(submission)),
        "system": system_items(submission.system_description),
        "comparison": [selectors.submission_summary(s) for s in [submission, *earlier]],
        "events": submission_events_visible(request.user, submission),
        "checks": selectors.reproduction_checks(submission),
        "duplicates": duplicate_matches(submission),
        "conflict": review_conflict(request.user, submission),
        "decision_form": DecisionForm(),
        "reproduction_form": ReproductionForm(),
        "tolerance": getattr(settings, "REPRODUCTION_TOLERANCE", {}),
    }
    return render(request, "review/detail.html", context)


@require_POST
@reviewer_required
def review_decide(request: HttpRequest, submission_id: UUID) -> HttpResponse:
    submission = get_object_or_404(Submission, pk=submission_id)
    if form_applied(
        request,
        DecisionForm(request.POST),
        services.review_decide,
        submission,
        refusals=(TransitionError, PermissionDenied),
        done=lambda _: f"{submission.title} is now {submission.get_status_display().lower()}.",
    ):
        return redirect("review:queue")
    return redirect("review:detail", submission_id=submission.pk)
