from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from benchcouncil.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Job, JobEvent, ReproductionCheck, ReproductionCheckEvent, RunnerHost
from .services import runner_host_rotate_token
from .tokens import new_secret, secret_hash


class RunnerHostForm(forms.ModelForm):
    class Meta:
        model = RunnerHost
        fields = ["name", "pool", "is_active"]


@admin.register(RunnerHost)
class RunnerHostAdmin(admin.ModelAdmin):
    form = RunnerHostForm
    list_display = ["name", "pool", "is_active", "reported_at", "last_seen_at"]
    list_filter = ["pool", "is_active"]
    readonly_fields = ["hardware_report", "system_description", "reported_at", "last_seen_at", "created_at"]
    actions = ["issue_new_token"]

    def save_model(self, request: HttpRequest, obj: RunnerHost, form: forms.ModelForm, change: bool) -> None:
        if not change:
            token = new_secret("bcrh")
            obj.token_hash = secret_hash(token)
            super().save_model(request, obj, form, change)
            _show_token_once(request, obj, token)
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Issue a new token (the old one stops working)")
    def issue_new_token(self, request: HttpRequest, queryset: QuerySet[RunnerHost]) -> None:
        for host in queryset:
            _show_token_once(request, host, runner_host_rotate_token(host=host))


def _show_token_once(request: HttpRequest, host: RunnerHost, token: str) -> None:
    # Only the hash is stored: this message is the one time anyone sees the token.
    messages.warning(
        request,
        f"Token for runner host {host.name} (pool {host.pool}), shown once; set it as "
        f"RUNNER_HOST_TOKEN on the host: {token}",
    )


# A tuple: the admin types `fields` more loosely than `readonly_fields`, and only an
# immutable sequence of names fits both.
JOB_EVENT_FIELDS = ("created_at", "from_status", "to_status", "actor", "reason")


class JobEventInline(ReadOnlyInline):
    model = JobEvent
    fields = readonly_fields = JOB_EVENT_FIELDS


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Read-only: jobs move through runners.services (the web page cancels them)."""

    list_display = ["id", "owner", "benchmark", "level", "profile", "pool", "status", "attempt", "created_at"]
    list_filter = ["status", "pool", "level", "profile"]
    search_fields = ["id", "owner__username"]
    inlines = [JobEventInline]
    exclude = ["secret_hash"]


class ReproductionCheckEventInline(ReadOnlyInline):
    model = ReproductionCheckEvent
    fields = readonly_fields = JOB_EVENT_FIELDS


@admin.register(ReproductionCheck)
class ReproductionCheckAdmin(ReadOnlyAdmin):
    list_display = ["submission", "job_id", "status", "verdict", "tolerance", "requested_by", "created_at"]
    list_filter = ["status", "verdict"]
    search_fields = ["submission__id", "submission__bundle_name", "job__id", "reason"]
    inlines = [ReproductionCheckEventInline]
