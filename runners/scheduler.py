"""A job that a cluster's scheduler (Slurm) runs: its states follow the scheduler's.

The runner on the cluster's login node reports what Slurm says of the job at every look
(POST /api/v1/runner/jobs/<id>/scheduler/). Here, in one place, Slurm's states become the
job's: pending stays queued (with Slurm's job id and pending reason shown), running is
running, the end states become finished, failed, cancelled or lost; a running job Slurm no
longer knows (vanished) is lost (and re-queued once, as any lost job). A bundle uploaded by
rank 0 finishes the job before Slurm's own end is reported; an end without one fails it, with
Slurm's exit code and log tail.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Job, RunnerHost
from .services import LOG_TAIL_MAX_CHARS, job_mark_lost, job_transition
from .states import ACTIVE, JobStatus

# Slurm's JobState values (squeue(1), "JOB STATE CODES") by what they mean for the job.
WAITING = frozenset(
    {"SUBMITTING", "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"}
)
RUNNING = frozenset({"RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING", "SUSPENDED", "STOPPED"})
FAILED = frozenset({"COMPLETED", "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "DEADLINE", "SPECIAL_EXIT"})
LOST = frozenset({"NODE_FAIL", "BOOT_FAIL", "PREEMPTED", "REVOKED", "VANISHED"})
CANCELLED = frozenset({"CANCELLED"})
STATES = WAITING | RUNNING | FAILED | LOST | CANCELLED
REPORT_KEYS = ("scheduler", "job_id", "state", "reason", "exit_code", "time_limit", "nodes")


class SchedulerReportError(ValueError):
    pass


def _clean(report: dict[str, Any]) -> dict[str, str]:
    state = str(report.get("state", "")).upper()
    # scontrol may add a qualifier ("CANCELLED by 0"); the state is its first word.
    state = state.split()[0] if state else ""
    if state not in STATES:
        raise SchedulerReportError(f"state: {report.get('state')!r} is not a Slurm job state")
    clean = {key: str(report.get(key) or "")[:200] for key in REPORT_KEYS}
    clean["state"] = state
    return clean


def job_record_scheduler(
    *, job: Job, report: dict[str, Any], host: RunnerHost | None = None
) -> dict[str, Any]:
    """Record the scheduler's word on the job and move the job as it says.

    The answer: the job's status, `cancel` (stop the scheduler's job: the service no longer
    wants it) and what the service knew of the scheduler's job before this report.
    """
    clean = _clean(report)
    log_tail = str(report.get("log_tail") or "")
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        known = dict(locked.scheduler or {})
        if locked.status in ACTIVE:
            _save(locked, clean, host)
            _move(locked, clean, host, log_tail)
        elif (
            clean["job_id"]
            and clean["job_id"] == known.get("job_id")
            and known.get("attempt") == locked.attempt
        ):
            # How Slurm ended a job the service is done with (a finished job's Slurm exit code).
            _save(locked, clean, host)
    locked.refresh_from_db()
    return {"status": locked.status, "cancel": locked.status not in ACTIVE, "scheduler": known}


def _save(job: Job, clean: dict[str, str], host: RunnerHost | None) -> None:
    now = timezone.now()
    job.scheduler = {**clean, "job_id": clean["job_id"] or (job.scheduler or {}).get("job_id", "")}
    job.scheduler.update(attempt=job.attempt, updated_at=now.isoformat())
    fields = ["scheduler", "updated_at"]
    if job.status == JobStatus.RUNNING:
        job.last_heartbeat_at = now
        fields.append("last_heartbeat_at")
    if host is not None:
        RunnerHost.objects.filter(pk=host.pk).update(last_seen_at=now)
    job.save(update_fields=fields)


def _move(job: Job, clean: dict[str, str], host: RunnerHost | None, log_tail: str) -> None:
    state, slurm_id = clean["state"], clean["job_id"]
    if state in RUNNING and job.status == JobStatus.QUEUED:
        job_transition(
            job=job,
            to=JobStatus.RUNNING,
            actor=None,
            reason=f"Slurm job {slurm_id} started on {clean['nodes'] or 'its nodes'} "
            f"(attempt {job.attempt}).",
            fields={"host": host} if host else None,
        )
    elif state in CANCELLED:
        job_transition(
            job=job,
            to=JobStatus.CANCELLED,
            actor=None,
            reason=f"Slurm job {slurm_id} was cancelled in Slurm.",
        )
    elif state in FAILED:
        reason = _failure(clean, log_tail)
        fields: dict[str, Any] = {"failure_reason": reason}
        if log_tail and not job.log_tail:
            fields["log_tail"] = log_tail[-LOG_TAIL_MAX_CHARS:]
        job_transition(job=job, to=JobStatus.FAILED, actor=None, reason=f"Slurm: {reason}", fields=fields)
    elif state in LOST:
        what = "is no longer known to Slurm" if state == "VANISHED" else f"ended {state}"
        reason = f"Slurm job {slurm_id or '(none)'} {what}"
        if job.status == JobStatus.RUNNING:
            job_mark_lost(job=job, reason=f"{reason}.")
        else:
            # Only a running job can be lost (and re-queued); one that never started fails.
            job_transition(
                job=job,
                to=JobStatus.FAILED,
                actor=None,
                reason=f"Slurm: {reason} before it started.",
                fields={"failure_reason": f"{reason} before it started."},
            )


def _failure(clean: dict[str, str], log_tail: str) -> str:
    state, slurm_id = clean["state"], clean["job_id"]
    if state == "TIMEOUT":
        text = f"Slurm stopped job {slurm_id} at its time limit (--time {clean['time_limit']})."
    elif state == "COMPLETED":
        text = f"Slurm job {slurm_id} completed (exit code {clean['exit_code']}) but no bundle was uploaded."
    else:
        text = f"Slurm job {slurm_id} ended {state} (exit code {clean['exit_code']})."
    last = [line for line in log_tail.splitlines() if line.strip()][-3:]
    return (text + (" Last lines of its log: " + " | ".join(last) if last else ""))[:2000]
