from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms

from submissions.forms import REASON_HELP

from .services import DECISIONS

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


class ReproductionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), strip=True)
