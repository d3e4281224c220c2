"""The submitter's pages for changing a submission: withdraw it, upload a correction."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from benchcouncil.auth import signed_in_user
from benchcouncil.form_throttle import throttled
from submissions.selectors import submission_visible_or_404
from submissions.states import TransitionError
from submissions.views import form_applied

from . import services
from .forms import CorrectionForm, WithdrawForm


@require_POST
@login_required
def submission_withdraw(request: HttpRequest, submission_id: UUID) -> HttpResponse:
    submission = submission_visible_or_404(request.user, submission_id)
    form_applied(
        request,
        WithdrawForm(request.POST),
        services.submission_withdraw,
        submission,
        refusals=(TransitionError,),
        done=lambda _: "The submission is withdrawn.",
    )
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
    return render(request, "submissions/correct.html", {"submission": submission, "form": form})
