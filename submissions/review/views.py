"""Review pages (staff) and the submitter's own actions: withdraw, correct, manage webhooks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from benchcouncil.auth import signed_in_user
from benchcouncil.form_throttle import throttled
from submissions.display import FINDINGS_SHOWN, ROWS_SHOWN, cut, findings_ordered, system_items
from submissions.models import Membership, Organization, Submission, Webhook
from submissions.selectors import submission_events_visible, submission_visible_or_404, user_is_member
from submissions.states import TransitionError
from submissions.webhooks import webhook_create

from . import selectors, services
from .forms import (
    BulkDecisionForm,
    CorrectionForm,
    DecisionForm,
    ReproductionForm,
    WebhookForm,
    WithdrawForm,
)
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


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        messages.error(request, f"{field}: {' '.join(errors)}")


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
        _form_errors(request, form)
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
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("review:detail", submission_id=submission.pk)
    try:
        services.review_decide(submission=submission, actor=signed_in_user(request), **form.cleaned_data)
    except (TransitionError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect("review:detail", submission_id=submission.pk)
    messages.success(request, f"{submission.title} is now {submission.get_status_display().lower()}.")
    return redirect("review:queue")


@require_POST
@login_required
def submission_withdraw(request: HttpRequest, submission_id: UUID) -> HttpResponse:
    submission = submission_visible_or_404(request.user, submission_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.submission_withdraw(
                submission=submission, actor=signed_in_user(request), **form.cleaned_data
            )
            messages.success(request, "The submission is withdrawn.")
        except TransitionError as exc:
            messages.error(request, str(exc))
    return redirect("submissions:detail", submission_id=submission.pk)


@login_required
@throttled("uploads", what="uploads")
def submission_correct(request: HttpRequest, submission_id: UUID) -> HttpResponse:
    user = signed_in_user(request)
    submission = submission_visible_or_404(request.user, submission_id)
    if not services.submission_can_correct(user, submission):
        raise PermissionDenied("Only the submitter's side may correct a submission sent back for changes.")
    form = CorrectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["bundle"]
        corrected = services.submission_correct(
            submission=submission,
            actor=user,
            bundle=upload,
            bundle_name=upload.name,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "The corrected bundle is stored and being validated.")
        return redirect("submissions:detail", submission_id=corrected.pk)
    return render(request, "review/correct.html", {"submission": submission, "form": form})


def _managed_organization(request: HttpRequest, slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    # 404 for an unknown slug and for someone who does not manage it alike: which
    # organizations (and webhooks) exist is not told to outsiders.
    manager = Membership.Role.MANAGER
    if organization is None or not (
        request.user.is_superuser or user_is_member(request.user, organization.pk, role=manager)
    ):
        raise Http404("No such organization among those you manage.")
    return organization


@login_required
@throttled("webhooks", what="webhook changes")
def webhook_list(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _managed_organization(request, slug)
    form = WebhookForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        created, secret = webhook_create(
            organization=organization,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            created_by=signed_in_user(request),
        )
        form = WebhookForm()
    context = {
        "organization": organization,
        "webhooks": selectors.organization_webhooks(organization.pk),
        "form": form,
        "created": created,
        # Rendered in this response only, never stored in a page or a message.
        "secret": secret,
    }
    return render(request, "review/webhooks.html", context, status=201 if created else 200)


@require_POST
@login_required
def webhook_toggle(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = Webhook.objects.select_related("organization").filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404("No such organization among those you manage.")
    _managed_organization(request, webhook.organization.slug)
    webhook.active = not webhook.active
    webhook.save(update_fields=["active"])
    messages.success(request, f"Webhook {webhook.url} {'enabled' if webhook.active else 'disabled'}.")
    return redirect("review:webhooks", slug=webhook.organization.slug)
