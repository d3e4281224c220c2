"""The submission pages: my submissions, the upload form, a submission's page, its bundle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from benchcouncil.auth import signed_in_user
from benchcouncil.form_throttle import throttled
from catalogue import flops_are_the_submissions
from catalogue.models import RankingMetric

from .display import findings_grouped, system_items
from .downloads import bundle_response
from .forms import SubmissionForm
from .models import Provenance, Submission
from .selectors import (
    submission_can_manage,
    submission_events_visible,
    submission_list_member,
    submission_visible_or_404,
)
from .services import submission_create
from .states import Status

PAGE_SIZE = 50
Done = TypeVar("Done")
# A submission's page follows these statuses by itself (static/js/submission-status.js).
POLLED = frozenset({Status.RECEIVED, Status.VALIDATING})


@login_required
@require_GET
def my_submissions(request: HttpRequest) -> HttpResponse:
    submissions = submission_list_member(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        submissions = submissions.filter(status=status)
    page = Paginator(submissions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "statuses": Status.choices, "status": status}
    return render(request, "submissions/list.html", context)


@login_required
@throttled("uploads", what="uploads")
def submission_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method != "POST":
        return render(request, "submissions/new.html", {"form": SubmissionForm(user=user)})
    form = SubmissionForm(request.POST, request.FILES, user=user)
    if not form.is_valid():
        return render(request, "submissions/new.html", {"form": form}, status=400)
    bundle = form.cleaned_data["bundle"]
    submission, _ = submission_create(
        owner=user,
        bundle=bundle,
        bundle_name=bundle.name,
        organization=form.cleaned_data["organization"],
    )
    messages.success(
        request,
        f"{submission.title} was received ({submission.bundle_size} bytes) and is queued for "
        "validation; this page shows the findings when it is done.",
    )
    return redirect("submissions:detail", submission_id=submission.pk)


def form_errors(request: HttpRequest, form: Any) -> None:
    """A form's errors as messages, for a form posted from another page and redirected back."""
    for field, errors in form.errors.items():
        messages.error(request, f"{field}: {' '.join(errors)}")


def form_applied(
    request: HttpRequest,
    form: Any,
    service: Callable[..., Done],
    submission: Submission,
    *,
    refusals: tuple[type[Exception], ...],
    done: Callable[[Done], str],
) -> bool:
    """A form posted from a submission's page, applied by `service` as the signed-in user.

    Its errors, the service's refusal or `done`'s account of the result become messages for
    the page redirected back to; True where the service did its work.
    """
    if not form.is_valid():
        form_errors(request, form)
        return False
    try:
        result = service(submission=submission, actor=signed_in_user(request), **form.cleaned_data)
    except refusals as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, done(result))
    return True


class LoginFirst(Exception):
    """A logged-out reader asked for a submission page they cannot see: it may be theirs."""


def _visible_page(request: HttpRequest, submission_id: UUID) -> Submission:
    try:
        return submission_visible_or_404(request.user, submission_id)
    except Http404:
        if not request.user.is_authenticated:
            # Its owner following a link from an email: log in, then come back. Asked of every
            # unknown id alike, so the question says nothing about whether one exists.
            raise LoginFirst from None
        raise


@require_GET
def submission_detail(request: HttpRequest, submission_id: UUID) -> HttpResponse:
    try:
        submission = _visible_page(request, submission_id)
    except LoginFirst:
        return redirect_to_login(request.get_full_path())
    runs = list(submission.runs.all())
    findings, findings_hidden = findings_grouped(submission)
    context = {
        "title": submission.title,
        "manifest": _manifest_facts(submission),
        "flops": _flops_fact(submission),
        "polling": submission.status in POLLED,
        "submission": submission,
        "can_manage": submission_can_manage(request.user, submission),
        "findings": findings,
        "findings_hidden": findings_hidden,
        "runs": runs,
        "events": submission_events_visible(request.user, submission),
        "system": system_items(submission.system_description),
        "chart": _chart(submission, runs),
    }
    return render(request, "submissions/detail.html", context)


@require_GET
def submission_bundle(request: HttpRequest, submission_id: UUID) -> FileResponse:
    return bundle_response(submission_visible_or_404(request.user, submission_id))


def _chart(submission: Submission, runs: list[Any]) -> dict[str, Any] | None:
    """The quality-over-time curves as plain data for the page's plotly chart."""
    traces = [
        {"name": f"Run {run.index} ({run.log_name})", "curve": run.curve}
        for run in runs
        if isinstance(run.curve, list) and run.curve
    ]
    if not traces:
        return None
    benchmark = submission.benchmark
    return {
        "runs": traces,
        "target": benchmark.target_quality if benchmark else None,
        "metric": benchmark.quality_metric_label if benchmark else "Quality",
    }


def _manifest_facts(submission: Submission) -> dict[str, Any]:
    """The manifest's model and reference; a reference is a link only when it is a web address."""
    manifest = submission.manifest if isinstance(submission.manifest, dict) else {}
    reference = str(manifest.get("reference") or "")
    return {
        "model": str(manifest.get("model") or ""),
        "reference": reference,
        "reference_is_url": reference.startswith(("https://", "http://")),
    }


def _flops_fact(submission: Submission) -> dict[str, Any] | None:
    """The per-sample training FLOPs the score rests on, and whose figure it is."""
    bench, lvl = submission.benchmark, submission.level
    if bench is None or lvl is None or bench.ranking_metric != RankingMetric.VALID_FLOPS:
        return None
    if flops_are_the_submissions(model_may_change=lvl.model_may_change, profile=submission.profile):
        return {
            "value": submission.per_sample_training_flops,
            "declared": submission.provenance != Provenance.RUNNER_VERIFIED,
            "own": True,
        }
    return {"value": bench.per_sample_training_flops, "declared": False, "own": False}
