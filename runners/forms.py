"""The web form for a model submission; the level check itself is runners.job_request."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib.auth.models import User

from catalogue import get_catalogue
from submissions.selectors import user_organizations


def _benchmark_choices() -> list[tuple[str, str]]:
    catalogue = get_catalogue()
    return [
        (benchmark.key, f"{catalogue.suites[benchmark.suite].name} / {benchmark.name}")
        for benchmark in catalogue.all_benchmarks()
    ]


class ModelSubmissionForm(forms.Form):
    benchmark = forms.ChoiceField(choices=_benchmark_choices)
    level = forms.ChoiceField(
        choices=lambda: [(slug, level.name) for slug, level in get_catalogue().levels.items()],
        help_text="Hardware: the reference as it is. System: may also set the tunable hyper-parameters. "
        "Free: may also change the model.",
    )
    profile = forms.ChoiceField(choices=[("smoke", "Smoke (small data)"), ("full", "Full data set")])
    availability = forms.ChoiceField(
        choices=lambda: list(get_catalogue().availability.items()), initial="research"
    )
    hyperparameters = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": '{"global_batch_size": 512}'}),
        help_text="A JSON object of hyper-parameters to change (system and free levels).",
    )
    model = forms.CharField(required=False, help_text="Free level: a registered model's name.")
    model_code_file = forms.FileField(
        required=False, label="Model code", help_text="Free level: a Python file defining build_model(...)."
    )
    organization = forms.ChoiceField(required=False)
    time_limit_s = forms.IntegerField(required=False, min_value=1, label="Time limit (s)")
    nodes = forms.IntegerField(
        required=False, min_value=1, initial=1, help_text="How many nodes, within what the pool offers."
    )
    accelerators_per_node = forms.IntegerField(
        required=False,
        min_value=0,
        label="Accelerators per node",
        help_text="Leave empty for every accelerator of each node; 0 on CPU nodes.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = cast(forms.ChoiceField, self.fields["organization"])
        organization.choices = [("", "(none)")] + [(org.slug, org.name) for org in user_organizations(user)]

    def clean_hyperparameters(self) -> dict[str, Any]:
        text = self.cleaned_data["hyperparameters"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}).") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("Must be a JSON object of name -> value.")
        return value

    def request_data(self) -> dict[str, Any]:
        """The cleaned form as model_submission_create takes it."""
        data = dict(self.cleaned_data)
        data["suite"], data["benchmark"] = data.pop("benchmark").split("/", 1)
        return data
