"""Pages for model submissions: the form, a user's jobs, and a job's live page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from benchcouncil.auth import signed_in_user

from . import selectors, services
from .forms import ModelSubmissionForm
from .states import JobStatus
from .submit import ModelSubmissionError, model_submission_create

REFRESH_S = 5


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = selectors.job_list_visible(request.user)[:200]
    return render(request, "runners/job_list.html", {"jobs": jobs})


@login_required
def job_new(request: HttpRequest) -> HttpResponse:
    form = ModelSubmissionForm(request.POST or None, request.FILES or None, user=signed_in_user(request))
    if request.method == "POST" and form.is_valid():
        try:
            job = model_submission_create(user=signed_in_user(request), data=form.request_data())
        except ModelSubmissionError as exc:
            for error in exc.errors:
                form.add_error(None, error)
        else:
            messages.success(request, "Your model submission is queued.")
            return redirect("runners:job-detail", job_id=job.pk)
    return render(request, "runners/job_new.html", {"form": form})


@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = selectors.job_visible_or_404(request.user, job_id)
    context = {
        "job": job,
        "events": job.events.select_related("actor"),
        "can_cancel": selectors.job_can_cancel(request.user, job),
        # The page reloads itself while the job may still change: no script needed.
        "refresh_s": REFRESH_S if job.is_active else None,
        "is_running": job.status == JobStatus.RUNNING,
        "waiting_note": selectors.job_waiting_note(job),
    }
    return render(request, "runners/job_detail.html", context)


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    job = selectors.job_visible_or_404(request.user, job_id)
    if selectors.job_can_cancel(request.user, job):
        services.job_cancel(job=job, actor=signed_in_user(request))
        messages.success(request, "The job is cancelled; a running host stops at its next heartbeat.")
    else:
        messages.error(
            request, f"The job is {job.get_status_display().lower()}; it can no longer be cancelled."
        )
    return redirect("runners:job-detail", job_id=job.pk)
