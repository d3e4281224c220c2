"""Writes for runner hosts and jobs: registration, queueing, reports from runners, the sweep.

The web tier dispatches jobs by task name only (`runners.execute_job` on `runner.<pool>`); it
never imports the runner side (runners.worker, runners.harness, torch).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from benchcouncil.state_machine import start, transition
from benchcouncil.task_names import EXECUTE_JOB
from benchcouncil.tasks import enqueue
from catalogue.models import Benchmark, Level, Suite
from submissions.bundles import BundleReport
from submissions.models import Organization, Submission
from submissions.provenance import submission_create_runner_verified
from submissions.uploads import bundle_validate, file_digest, file_sha256

from .job_request import JobSpec
from .models import Job, RunnerHost
from .provenance import job_bundle_mismatches
from .states import ACTIVE, MACHINE, JobStatus, JobTransitionError
from .tokens import new_secret, secret_hash

logger = logging.getLogger(__name__)

LOG_TAIL_MAX_CHARS = 20_000


class JobStateError(Exception):
    """A runner reported something the job's current status does not allow."""


# --- Hosts -----------------------------------------------------------------------


def runner_host_register(*, name: str, pool: str) -> tuple[RunnerHost, str]:
    """Create a host; returns it with its token, which is never stored and never shown again."""
    token = new_secret("bcrh")
    host = RunnerHost.objects.create(name=name, pool=pool, token_hash=secret_hash(token))
    return host, token


def runner_host_rotate_token(*, host: RunnerHost) -> str:
    """Issue a new token; the old one stops working at once."""
    token = new_secret("bcrh")
    host.token_hash = secret_hash(token)
    host.save(update_fields=["token_hash"])
    return token


def runner_host_record_report(
    *, host: RunnerHost, report: dict[str, Any], system_description: dict[str, Any]
) -> RunnerHost:
    now = timezone.now()
    host.hardware_report = report
    host.system_description = system_description
    host.reported_at = host.last_seen_at = now
    host.save(update_fields=["hardware_report", "system_description", "reported_at", "last_seen_at"])
    return host


# --- Jobs: creation and dispatch --------------------------------------------------


def job_create(
    *,
    owner: User,
    spec: JobSpec,
    organization: Organization | None = None,
    pool: str | None = None,
    reproduction_of: Submission | None = None,
) -> Job:
    """Queue a job whose configuration `spec` already passed the level check."""
    secret = new_secret("bcrj")
    with transaction.atomic():
        job = Job.objects.create(
            owner=owner,
            organization=organization,
            pool=pool or settings.RUNNER_DEFAULT_POOL,
            suite=Suite.objects.get(slug=spec.suite),
            benchmark=Benchmark.objects.get(suite__slug=spec.suite, slug=spec.benchmark),
            level=Level.objects.get(slug=spec.level),
            profile=spec.profile,
            config=spec.harness_config(organization_name=organization.name if organization else ""),
            model_code=spec.model_code,
            model_code_name=spec.model_code_name,
            time_limit_s=spec.time_limit_s,
            secret_hash=secret_hash(secret),
            reproduction_of=reproduction_of,
        )
        start(MACHINE, job, actor=owner, reason=_queued_reason(job))
    # The secret exists only in this closure and in the message: the database keeps its hash.
    transaction.on_commit(lambda: job_enqueue(job=job, secret=secret))
    return job


def _queued_reason(job: Job) -> str:
    what = f"{job.suite.slug}/{job.benchmark.slug} at the {job.level.slug} level, {job.profile} profile"
    if job.reproduction_of_id:
        return f"Reproduction of submission {job.reproduction_of_id} queued on pool {job.pool}: {what}."
    return f"Model submission queued on pool {job.pool}: {what}."


def job_enqueue(*, job: Job, secret: str) -> None:
    """Send the job to its pool's queue, by task name (even with eager tasks: only a runner host
    registers it)."""
    # Model code travels as text; the runner writes it to a file for the harness's sandbox.
    model_code = {"name": job.model_code_name, "source": job.model_code} if job.model_code else None
    enqueue(
        EXECUTE_JOB,
        job_id=str(job.pk),
        attempt=job.attempt,
        config=job.config,
        secret=secret,
        service_url=settings.RUNNER_SERVICE_URL,
        model_code=model_code,
        queue=job.queue,
        # The harness stops itself at time_limit_s; Celery's limits are the backstop for a
        # harness that hangs (soft: an exception in the task, hard: the process is killed).
        options={
            "task_id": f"{job.pk}-{job.attempt}",
            "soft_time_limit": job.time_limit_s + settings.RUNNER_TIME_LIMIT_GRACE_S,
            "time_limit": job.time_limit_s + 2 * settings.RUNNER_TIME_LIMIT_GRACE_S,
        },
    )


# --- Jobs: the state machine ------------------------------------------------------


def job_transition(
    *, job: Job, to: str, actor: User | None, reason: str, fields: dict[str, Any] | None = None
) -> Job:
    """Move a job to `to`, if the state machine allows it, and record who and why.

    `fields` are saved in the same transaction (a failure reason, a new secret hash...).
    """
    now = timezone.now()
    changes: dict[str, Any] = dict(fields or {})
    if to == JobStatus.RUNNING:
        changes.setdefault("started_at", now)
        changes.setdefault("last_heartbeat_at", now)
    if to not in ACTIVE:
        changes.setdefault("finished_at", now)
    locked, _ = transition(MACHINE, job, to=to, actor=actor, reason=reason, fields=changes)
    return locked


def job_cancel(*, job: Job, actor: User, reason: str = "") -> Job:
    """Cancel a queued or running job; a running one's host learns it at its next heartbeat."""
    return job_transition(
        job=job, to=JobStatus.CANCELLED, actor=actor, reason=reason or f"Cancelled by {actor.get_username()}."
    )


# --- Jobs: what runners report ----------------------------------------------------


def job_heartbeat(*, job: Job, host: RunnerHost | None = None) -> dict[str, Any]:
    """Record that the job's runner is alive; the answer tells it whether to stop."""
    now = timezone.now()
    if host is not None:
        RunnerHost.objects.filter(pk=host.pk).update(last_seen_at=now)
    if job.status == JobStatus.QUEUED:
        who = f"host {host.name}" if host else "a runner"
        try:
            job = job_transition(
                job=job,
                to=JobStatus.RUNNING,
                actor=None,
                reason=f"Started by {who} (attempt {job.attempt}).",
                fields={"host": host, "started_at": now, "last_heartbeat_at": now},
            )
        except JobTransitionError:
            job.refresh_from_db(fields=["status"])  # cancelled a moment ago: the answer says stop
    elif job.status == JobStatus.RUNNING:
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(last_heartbeat_at=now)
        job.refresh_from_db(fields=["status"])
    return {"status": job.status, "cancel": job.status != JobStatus.RUNNING}


def job_record_progress(*, job: Job, progress: dict[str, Any], log_tail: str = "") -> Job:
    if job.status != JobStatus.RUNNING:
        raise JobStateError(f"The job is {job.status}; progress is taken only while it runs.")
    job.progress = progress
    job.log_tail = log_tail[-LOG_TAIL_MAX_CHARS:]
    job.last_heartbeat_at = timezone.now()
    job.save(update_fields=["progress", "log_tail", "last_heartbeat_at", "updated_at"])
    return job


class BundleRefused(Exception):
    """A runner's bundle does not match its job; the job failed with these reasons."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def job_accept_bundle(
    *, job: Job, host: RunnerHost | None, bundle: IO[bytes], bundle_name: str
) -> Submission:
    """Turn the runner's bundle into a runner-verified submission and finish the job.

    Only the job's own host (of the job's pool) may upload, and only a bundle that ran what
    the job asked for (runners.provenance): anything else is refused and fails the job, so
    the refusal shows on the job's page. The submission then takes the normal path.
    """
    if job.status == JobStatus.FINISHED and job.submission is not None:
        if job.submission.bundle_sha256 == file_sha256(bundle):
            return job.submission  # a retried upload whose first answer was lost
        raise JobStateError("The job is finished; its secret cannot upload another bundle.")
    if job.status != JobStatus.RUNNING:
        raise JobStateError(f"The job is {job.status}; a bundle is taken only while it runs.")
    reasons = [why] if (why := job_host_refusal(job=job, host=host, uploading=True)) else []
    reasons = reasons or job_bundle_mismatches(job=job, report=_validated(bundle, bundle_name))
    if reasons:
        job_fail(job=job, reason="The runner's bundle was refused: " + "; ".join(reasons) + ".")
        raise BundleRefused(reasons)
    assert host is not None  # job_host_refusal refuses an upload without a host
    evidence = (
        f"Produced by runner job {job.pk} (attempt {job.attempt}) on host {host.name} of pool {job.pool}; "
        "the bundle matches the job's suite, benchmark, level, profile, seeds, hyper-parameters and model."
    )
    with transaction.atomic():
        # One submission per job: the transition below takes the job's row lock, so of two
        # uploads at once one finishes the job and the other is rolled back.
        submission = submission_create_runner_verified(
            owner=job.owner,
            bundle=bundle,
            bundle_name=bundle_name,
            organization=job.organization,
            evidence=evidence,
        )
        job_transition(
            job=job,
            to=JobStatus.FINISHED,
            actor=None,
            reason=f"Bundle {bundle_name} uploaded by host {host.name}; "
            f"it became submission {submission.pk}.",
            fields={"submission": submission},
        )
    return submission


def job_host_refusal(*, job: Job, host: RunnerHost | None, uploading: bool = False) -> str | None:
    """Why `host` may not report for `job`, or None: only a host of its pool, once started its own."""
    if host is None:
        return "the upload carries no runner host token" if uploading else None
    if host.pool != job.pool:
        return f"host {host.name} serves pool {host.pool}, not the job's pool {job.pool}"
    if job.host_id is not None and job.host_id != host.pk:
        return f"host {host.name} is not the job's host"
    return None


def _validated(bundle: IO[bytes], bundle_name: str) -> BundleReport:
    sha256, size = file_digest(bundle)
    return bundle_validate(bundle, bundle_name, size=size, sha256=sha256)


def job_fail(*, job: Job, reason: str) -> Job:
    """The runner gave up; a job cancelled meanwhile stays cancelled."""
    if job.status == JobStatus.CANCELLED:
        return job
    if job.status not in ACTIVE:
        raise JobStateError(f"The job is {job.status}; it can no longer fail.")
    reason = reason.strip()[:2000] or "The runner reported a failure without a reason."
    return job_transition(
        job=job,
        to=JobStatus.FAILED,
        actor=None,
        reason=f"Runner: {reason}",
        fields={"failure_reason": reason},
    )


# --- The sweep ---------------------------------------------------------------------


def job_sweep_lost(*, now: Any = None) -> list[Job]:
    """Mark running jobs whose host went quiet as lost; re-queue each once, with a new secret.

    A job lost a second time stays lost: a configuration that kills its host twice should
    not keep taking hosts down.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.RUNNER_HEARTBEAT_TIMEOUT_S)
    swept = []
    stale = Job.objects.filter(status=JobStatus.RUNNING, last_heartbeat_at__lt=cutoff)
    for job in stale:
        swept.append(_job_mark_lost(job=job, now=now))
    return swept


def _job_mark_lost(*, job: Job, now: Any) -> Job:
    quiet_s = int((now - job.last_heartbeat_at).total_seconds())
    host = f"host {job.host.name}" if job.host else "its host"
    return job_mark_lost(
        job=job,
        reason=f"No heartbeat from {host} for {quiet_s} s (limit {settings.RUNNER_HEARTBEAT_TIMEOUT_S} s).",
    )


def job_mark_lost(*, job: Job, reason: str) -> Job:
    """The job's host (or its cluster's scheduler) lost it: lost, and re-queued once."""
    job_transition(job=job, to=JobStatus.LOST, actor=None, reason=reason)
    if job.attempt >= settings.RUNNER_MAX_ATTEMPTS:
        logger.warning("job %s lost on attempt %s; not re-queued", job.pk, job.attempt)
        return job
    secret = new_secret("bcrj")
    with transaction.atomic():
        job_transition(
            job=job,
            to=JobStatus.QUEUED,
            actor=None,
            reason=(
                f"Re-queued after being lost (attempt {job.attempt + 1} of {settings.RUNNER_MAX_ATTEMPTS})."
            ),
            fields={
                "attempt": job.attempt + 1,
                "secret_hash": secret_hash(secret),
                "host": None,
                "started_at": None,
                "finished_at": None,
                "last_heartbeat_at": None,
                "progress": {},
                "scheduler": {},
            },
        )
        transaction.on_commit(lambda: job_enqueue(job=job, secret=secret))
    return job


# The review side's entry points live in their own module, re-exported here so that callers
# find every write for jobs in runners.services.
from .reproduction import job_compare_with_submission, job_create_reproduction  # noqa: E402

__all__ = [
    "BundleRefused",
    "JobStateError",
    "job_accept_bundle",
    "job_cancel",
    "job_compare_with_submission",
    "job_create",
    "job_create_reproduction",
    "job_enqueue",
    "job_fail",
    "job_heartbeat",
    "job_host_refusal",
    "job_mark_lost",
    "job_record_progress",
    "job_sweep_lost",
    "job_transition",
    "runner_host_record_report",
    "runner_host_register",
    "runner_host_rotate_token",
]
