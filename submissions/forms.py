"""Forms of the submission pages, the webhook page and the account pages (signup)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.core.validators import URLValidator

from .models import Organization
from .selectors import user_organizations
from .states import Status

REASON_HELP = "Recorded in the submission's history."


class SubmissionForm(forms.Form):
    bundle = forms.FileField(
        label="Result bundle",
        help_text="A .tar.gz or .zip with manifest.json, system.json and logs/*.log (see the bundle format).",
        error_messages={
            "required": "Choose the bundle file to upload.",
            "empty": "The file is empty (0 bytes); choose the .tar.gz or .zip you packed.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".tar.gz,.tgz,.zip"}),
    )
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="None: only me (and staff)",
        help_text="Members of the organization may follow and manage the submission too.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = user_organizations(user)
        field = cast("forms.ModelChoiceField[Organization]", self.fields["organization"])
        field.queryset = organizations
        # Someone in exactly one organization almost always submits for it.
        if len(organizations) == 1 and not self.is_bound:
            field.initial = organizations[0].pk


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=True, help_text="For notices about your submissions' reviews.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        # No check for an existing account here: the form would tell anyone which addresses
        # have one (submissions/accounts.py mails the holder instead).
        return str(self.cleaned_data["email"]).strip()


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
