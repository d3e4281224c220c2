"""Forms of the withdraw and correct pages."""

from __future__ import annotations

from django import forms

from submissions.forms import REASON_HELP


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP, strip=True)


class CorrectionForm(forms.Form):
    bundle = forms.FileField(help_text="The corrected bundle (.tar.gz or .zip).")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="What changed, for the reviewer.", strip=True
    )
