from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from benchcouncil.history import HistoryEvent, status_fields
from catalogue.models import Benchmark, Level, Suite

from .states import PUBLIC, Status


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MANAGER = "manager", "Manager"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization}"


class Provenance(models.TextChoices):
    RUNNER_VERIFIED = "runner_verified", "Runner-verified"
    SUBMITTER_REPORTED = "submitter_reported", "Submitter-reported"
    IMPORTED_UNVERIFIED = "imported_unverified", "Imported, unverified"


class Availability(models.TextChoices):
    AVAILABLE = "available", "Available"
    PREVIEW = "preview", "Preview"
    RESEARCH = "research", "Research, development or internal"


class Profile(models.TextChoices):
    FULL = "full", "Full"
    SMOKE = "smoke", "Smoke"


def bundle_path(instance: Submission, filename: str) -> str:
    # The submitter's file name is kept in `bundle_name`; the stored key is ours, so no
    # name a client sends can steer where bytes land.
    # (".csv" is an imported entry's record: ranking/imports.py.)
    lowered = filename.lower()
    suffix = ".zip" if lowered.endswith(".zip") else ".csv" if lowered.endswith(".csv") else ".tar.gz"
    return f"bundles/{instance.id}/bundle{suffix}"


class Submission(models.Model):
    # UUIDs, not sequential ids, so a private submission's URL cannot be guessed.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)
    provenance = models.CharField(
        max_length=24, choices=Provenance.choices, default=Provenance.SUBMITTER_REPORTED
    )

    bundle = models.FileField(upload_to=bundle_path, max_length=200)
    bundle_name = models.CharField(max_length=255)
    bundle_size = models.BigIntegerField()
    bundle_sha256 = models.CharField(max_length=64, db_index=True)
    # NULL, not "", when absent: the unique constraint applies only to keys actually sent.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001

    # Filled from the bundle by validation; empty until then (or when unreadable).
    suite = models.ForeignKey(Suite, null=True, blank=True, on_delete=models.PROTECT)
    benchmark = models.ForeignKey(Benchmark, null=True, blank=True, on_delete=models.PROTECT)
    level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.PROTECT)
    availability = models.CharField(max_length=16, choices=Availability.choices, blank=True)
    profile = models.CharField(max_length=8, choices=Profile.choices, default=Profile.FULL)
    organization_name = models.CharField(max_length=200, blank=True)
    system_name = models.CharField(max_length=200, blank=True)
    manifest = models.JSONField(null=True, blank=True)
    system_description = models.JSONField(null=True, blank=True)
    hyperparameters = models.JSONField(null=True, blank=True)
    per_sample_training_flops = models.FloatField(null=True, blank=True)
    catalogue_version = models.CharField(max_length=32, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)

    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="submission_unique_idempotency_key",
            )
        ]
        indexes = [models.Index(fields=["status", "benchmark", "level"])]

    def __str__(self) -> str:
        return f"{self.bundle_name} ({self.get_status_display()})"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC

    @property
    def title(self) -> str:
        """How pages, lists and messages name a result: its organization and system, as a
        leaderboard names it; the upload's file name until validation has read them."""
        organization = self.organization_name or (self.organization.name if self.organization else "")
        if self.system_name and organization:
            return f"{organization} — {self.system_name}"
        return self.system_name or self.bundle_name


class Run(models.Model):
    """One training run of a submission, with the figures derived from its log."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="runs")
    index = models.PositiveSmallIntegerField()
    log_name = models.CharField(max_length=255)
    # sha256 of the run's log as it was in the bundle: the same log in another submission is
    # flagged to the reviewer.
    log_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    seed = models.BigIntegerField(null=True)
    status = models.CharField(max_length=16)
    converged = models.BooleanField()
    time_to_train_s = models.FloatField(null=True)
    time_to_quality_s = models.FloatField(null=True)
    achieved_quality = models.FloatField(null=True)
    samples_processed = models.BigIntegerField(null=True)
    epochs_completed = models.FloatField(null=True)
    per_sample_flops = models.FloatField(null=True)
    total_flops = models.FloatField(null=True)
    global_batch_size = models.PositiveIntegerField(null=True)
    hyperparameters = models.JSONField(default=dict)
    curve = models.JSONField(default=list)
    run_start_ms = models.BigIntegerField(null=True)
    run_stop_ms = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["submission", "index"]
        constraints = [models.UniqueConstraint(fields=["submission", "index"], name="run_unique_index")]

    def __str__(self) -> str:
        return f"run {self.index} of {self.submission_id}"


class Finding(models.Model):
    class Severity(models.TextChoices):
        ERROR = "error", "Error"
        WARNING = "warning", "Warning"
        INFO = "info", "Info"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="findings")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    code = models.CharField(max_length=64)
    message = models.TextField()
    location = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "id"]

    def __str__(self) -> str:
        return f"{self.severity} {self.code}: {self.message}"


class StatusEvent(HistoryEvent):
    """The append-only history of a submission: who moved it, from where, to where, why."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="events")
    from_status, to_status = status_fields(Status, max_length=24)
    # False marks a reviewers' internal note, shown to staff alone.
    public = models.BooleanField(default=True)


# --- Review and publication: outbound webhooks ------------------------------------------


class Webhook(models.Model):
    """An organization's endpoint, told about its submissions' status changes."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    # Kept in clear because every delivery is signed with it; shown to its manager once, at creation.
    secret = models.CharField(max_length=64, editable=False)
    # Statuses (Status values) that trigger a delivery; empty means every status change.
    events = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "id"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.url}"

    def wants(self, status: str) -> bool:
        return self.active and (not self.events or status in self.events)


class WebhookDelivery(models.Model):
    """One attempt to deliver one event to one webhook: the log a manager reads when a CI waits."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=48)
    # Shared by every attempt of one delivery, and sent in a header so receivers can drop repeats.
    delivery_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    attempt = models.PositiveSmallIntegerField()
    payload = models.JSONField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook.url} (attempt {self.attempt})"
