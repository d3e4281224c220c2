"""The review page's reproduction forms: ask for a re-run, and look at the checks' jobs again."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from submissions.models import Submission
from submissions.review.forms import ReproductionForm
from submissions.review.views import reviewer_required
from submissions.views import form_applied

from .reproduction_checks import reproduction_checks_refresh, reproduction_request


@require_POST
@reviewer_required
def review_reproduce(request: HttpRequest, submission_id: UUID) -> HttpResponse:
    submission = get_object_or_404(Submission, pk=submission_id)
    form_applied(
        request,
        ReproductionForm(request.POST),
        reproduction_request,
        submission,
        refusals=(ValueError, PermissionDenied),
        done=lambda check: f"Reproduction queued as runner job {check.job_id}.",
    )
    return redirect("review:detail", submission_id=submission.pk)


@require_POST
@reviewer_required
def review_reproductions_refresh(request: HttpRequest, submission_id: UUID) -> HttpResponse:
    submission = get_object_or_404(Submission, pk=submission_id)
    updated = reproduction_checks_refresh(submission=submission)
    messages.info(request, f"{len(updated)} reproduction check(s) updated.")
    return redirect("review:detail", submission_id=submission.pk)
