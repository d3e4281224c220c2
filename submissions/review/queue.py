"""The review queue narrowed down: one filter form for the queue page and the review API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from catalogue.models import Benchmark, Level, Suite
from submissions.models import Organization, Provenance, Submission
from submissions.selectors import user_organization_ids

from .safeguards import duplicate_flags, interest_conflict
from .selectors import review_queue


class QueueFilterForm(forms.Form):
    """Every field optional: an empty form is the whole queue."""

    suite = forms.ModelChoiceField(Suite.objects.all(), to_field_name="slug", required=False)
    benchmark = forms.CharField(required=False, help_text="a benchmark's slug, e.g. image-classification")
    level = forms.ModelChoiceField(Level.objects.all(), to_field_name="slug", required=False)
    organization = forms.ModelChoiceField(Organization.objects.all(), to_field_name="slug", required=False)
    provenance = forms.ChoiceField(choices=[("", "any"), *Provenance.choices], required=False)
    flagged = forms.BooleanField(required=False, label="Only those sharing a bundle or log with another")
    decidable = forms.BooleanField(required=False, label="Only those I may decide on")

    def clean_benchmark(self) -> str:
        slug = self.cleaned_data["benchmark"].strip()
        if slug and not Benchmark.objects.filter(slug=slug).exists():
            raise forms.ValidationError(f"No benchmark {slug!r}.")
        return slug


@dataclass
class QueueEntry:
    submission: Submission
    duplicates: int
    can_decide: bool


def review_queue_filtered(user: User, filters: dict[str, Any]) -> list[QueueEntry]:
    """The queue (oldest first) with each submission's duplicate count and whether `user` may decide."""
    submissions = _narrowed(review_queue(), filters)
    rows = list(submissions)
    flags = duplicate_flags(s.pk for s in rows)
    organizations = set(user_organization_ids(user))
    entries = [
        QueueEntry(
            submission=s,
            duplicates=flags.get(s.pk, 0),
            can_decide=interest_conflict(s, user_id=user.pk, organization_ids=organizations) is None,
        )
        for s in rows
    ]
    if filters.get("flagged"):
        entries = [e for e in entries if e.duplicates]
    if filters.get("decidable"):
        entries = [e for e in entries if e.can_decide]
    return entries


def _narrowed(submissions: QuerySet[Submission], filters: dict[str, Any]) -> QuerySet[Submission]:
    if filters.get("suite"):
        submissions = submissions.filter(suite=filters["suite"])
    if filters.get("benchmark"):
        submissions = submissions.filter(benchmark__slug=filters["benchmark"])
    if filters.get("level"):
        submissions = submissions.filter(level=filters["level"])
    if filters.get("organization"):
        submissions = submissions.filter(organization=filters["organization"])
    if filters.get("provenance"):
        submissions = submissions.filter(provenance=filters["provenance"])
    return submissions
