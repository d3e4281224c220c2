"""Runner hosts, the jobs they run, reproduction checks, and each one's append-only history.

A job is a model submission: a configuration of the reference implementation (or, at the
free level, another model) that one of our hosts trains; its output is a result bundle that
becomes a Submission with provenance runner_verified.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from benchcouncil.history import HistoryEvent, status_fields
from catalogue.models import Benchmark, Level, Suite
from submissions.models import Organization, Profile, Submission

from .states import ACTIVE, CheckStatus, JobStatus


class RunnerHost(models.Model):
    """A machine with accelerators that takes jobs from the queue `runner.<pool>`."""

    name = models.SlugField(max_length=64, unique=True)
    pool = models.SlugField(max_length=64)
    # sha256 of the host token; the token itself is shown once, when it is issued.
    token_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    # What the host said about itself when its worker last started (harness host_report()),
    # and the MLPerf-style system description built from it.
    hardware_report = models.JSONField(null=True, blank=True)
    system_description = models.JSONField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pool", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.pool})"

    @property
    def queue(self) -> str:
        return f"runner.{self.pool}"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="runner_jobs")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="runner_jobs"
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    pool = models.SlugField(max_length=64)

    suite = models.ForeignKey(Suite, on_delete=models.PROTECT, related_name="+")
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    profile = models.CharField(max_length=8, choices=Profile.choices, default=Profile.SMOKE)
    # The harness configuration sent to the runner, checked against the level before queueing.
    config = models.JSONField()
    # Free level only: the submitter's model code, kept as sent so that a reviewer can read it.
    model_code = models.TextField(blank=True)
    model_code_name = models.CharField(max_length=255, blank=True)
    time_limit_s = models.PositiveIntegerField()

    # sha256 of the job's current secret; a re-queue issues a new one, so a runner that
    # was given up on cannot report into the new attempt.
    secret_hash = models.CharField(max_length=64)
    attempt = models.PositiveSmallIntegerField(default=1)
    host = models.ForeignKey(
        RunnerHost, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )

    # What a cluster's scheduler says of the job (Slurm: job id, state, pending reason, exit
    # code), as the runner on its login node last reported it (runners/scheduler.py).
    scheduler = models.JSONField(default=dict, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    log_tail = models.TextField(blank=True)
    failure_reason = models.TextField(blank=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # The submission the job's bundle became.
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="runner_jobs"
    )
    # Set on a reproduction: the submission whose figures this job re-measures.
    reproduction_of = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="reproductions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "last_heartbeat_at"])]

    def __str__(self) -> str:
        return f"job {self.id} ({self.get_status_display()})"

    @property
    def queue(self) -> str:
        return f"runner.{self.pool}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class JobEvent(HistoryEvent):
    """The append-only history of a job: who moved it, from where, to where, why."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="events")
    from_status, to_status = status_fields(JobStatus, max_length=16)


class ReproductionCheck(models.Model):
    """A runner job that re-runs a submission's configuration, and how its figures compare."""

    State = CheckStatus

    class Verdict(models.TextChoices):
        PENDING = "pending", "Pending"
        REPRODUCED = "reproduced", "Reproduced within tolerance"
        NOT_REPRODUCED = "not_reproduced", "Not reproduced"
        INCONCLUSIVE = "inconclusive", "Inconclusive"

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="reproduction_checks")
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="reproduction_checks")
    status = models.CharField(max_length=16, choices=CheckStatus.choices, default=CheckStatus.QUEUED)
    # The tolerances the figures are held to (settings.REPRODUCTION_TOLERANCE when asked for).
    tolerance = models.JSONField(default=dict)
    comparison = models.JSONField(null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, default=Verdict.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"reproduction of {self.submission_id} by job {self.job_id}: {self.verdict}"


class ReproductionCheckEvent(HistoryEvent):
    """The append-only history of a reproduction check: asked for by whom, ended how."""

    reproduction_check = models.ForeignKey(ReproductionCheck, on_delete=models.PROTECT, related_name="events")
    from_status, to_status = status_fields(CheckStatus, max_length=16)
