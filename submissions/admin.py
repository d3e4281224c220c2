"""Admin for intake: organizations, members, submissions and their history.

A submission's bundle, derived figures and history are evidence: the admin shows them but
never edits them. Status moves go through the review pages (submission_transition), which
record who and why.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from benchcouncil.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Finding, Membership, Organization, Run, StatusEvent, Submission


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name", "organization__slug"]
    autocomplete_fields = ["user", "organization"]


# Tuples: the admin types `fields` more loosely than `readonly_fields`, and only an
# immutable sequence of names fits both.
RUN_FIELDS = (
    "index", "log_name", "seed", "status", "converged", "time_to_train_s", "time_to_quality_s",
    "achieved_quality", "samples_processed", "epochs_completed", "total_flops", "global_batch_size",
)  # fmt: skip
FINDING_FIELDS = ("severity", "code", "location", "message")
STATUS_EVENT_FIELDS = ("created_at", "from_status", "to_status", "actor", "reason", "public")


class RunInline(ReadOnlyInline):
    model = Run
    fields = readonly_fields = RUN_FIELDS


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = readonly_fields = FINDING_FIELDS


class StatusEventInline(ReadOnlyInline):
    model = StatusEvent
    fields = readonly_fields = STATUS_EVENT_FIELDS


DERIVED_FIELDS = (
    "suite", "benchmark", "level", "availability", "profile", "organization_name", "system_name",
    "per_sample_training_flops", "catalogue_version", "validated_at", "manifest",
    "system_description", "hyperparameters",
)  # fmt: skip


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "bundle_name", "status", "suite", "benchmark", "level", "organization", "system_name",
        "provenance", "profile", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "suite", "benchmark", "level", "provenance", "profile", "availability"]
    search_fields = ["=id", "bundle_name", "bundle_sha256", "organization__name", "organization__slug",
                     "organization_name", "system_name", "owner__username"]  # fmt: skip
    list_select_related = ["suite", "benchmark", "level", "organization"]
    date_hierarchy = "created_at"
    inlines = [RunInline, FindingInline, StatusEventInline]
    # Status only moves through the state machine, never through this form. Provenance and
    # organization change only through submissions.provenance, which records who and why.
    readonly_fields = [
        "id", "owner", "status", "organization", "provenance", "bundle", "bundle_name", "bundle_size",
        "bundle_sha256", "idempotency_key", "suite", "benchmark", "level", "availability", "profile",
        "organization_name", "system_name", "manifest", "system_description", "hyperparameters",
        "per_sample_training_flops", "catalogue_version", "validated_at", "supersedes",
        "created_at", "updated_at", "published_at",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["id", "status", "owner", "organization", "provenance"]}),
        ("Bundle", {"fields": ["bundle", "bundle_name", "bundle_size", "bundle_sha256", "idempotency_key"]}),
        ("Derived from the bundle", {"fields": DERIVED_FIELDS}),
        ("History", {"fields": ["supersedes", "created_at", "updated_at", "published_at"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Bundles come in through the upload form, the API or a runner, never typed in here.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The history is protected (append-only); withdraw a submission instead.
        return False


@admin.register(StatusEvent)
class StatusEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "submission", "from_status", "to_status", "actor", "public"]
    list_filter = ["to_status", "public"]
    search_fields = ["=submission__id", "reason", "actor__username"]
    list_select_related = ["submission", "actor"]
    date_hierarchy = "created_at"
