from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.core.validators import URLValidator

from submissions.states import Status

from .services import DECISIONS

REASON_HELP = "Recorded in the submission's history."


# No decision is preselected: a reviewer picks one on purpose, every time.
DECISION_CHOICES = [("", "— choose a decision —"), *((d, d.replace("_", " ")) for d in DECISIONS)]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DECISION_CHOICES)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text=REASON_HELP, strip=True)
    # Unchecked: a staff-only note, never shown to the submitter or the public.
    public = forms.BooleanField(required=False, initial=True, label="Show the reason to the submitter")


class SubmissionIdsField(forms.Field):
    """The ids ticked in the queue (a checkbox each); the service reports on each one."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[UUID]:
        try:
            return [UUID(str(item)) for item in value or []]
        except ValueError as exc:
            raise forms.ValidationError("Not a submission id.") from exc

    def validate(self, value: list[UUID]) -> None:
        if not value:
            raise forms.ValidationError("Tick at least one submission.")


class BulkDecisionForm(DecisionForm):
    """One decision for the submissions ticked in the queue, recorded on each with the reason."""

    submissions = SubmissionIdsField()


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP, strip=True)


class CorrectionForm(forms.Form):
    bundle = forms.FileField(help_text="The corrected bundle (.tar.gz or .zip).")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="What changed, for the reviewer.", strip=True
    )


class ReproductionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), strip=True)


class WebhookForm(forms.Form):
    # Deliveries are HTTP POSTs: the default URL validator would accept ftp:// too.
    url = forms.URLField(
        max_length=500, assume_scheme="https", validators=[URLValidator(schemes=["http", "https"])]
    )
    events = forms.MultipleChoiceField(
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Statuses to be told about; none ticked means every status change.",
    )
