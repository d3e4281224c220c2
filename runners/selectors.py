"""Reads for runner hosts and jobs, with who may see what in one place.

A job's page (progress, log tail, history) is for its owner and staff only: it can show
model code and configuration the owner has not published.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Job, RunnerHost
from .states import JobStatus
from .tokens import secret_hash, secret_matches


def runner_host_for_token(token: str | None) -> RunnerHost | None:
    if not token:
        return None
    host = RunnerHost.objects.filter(token_hash=secret_hash(token), is_active=True).first()
    if host is None or not secret_matches(token, host.token_hash):
        return None
    return host


def job_secret_matches(job: Job, secret: str | None) -> bool:
    """The job's current secret: one from an earlier attempt no longer matches."""
    return secret_matches(secret, job.secret_hash)


def job_list_visible(user: User | AnonymousUser) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    jobs = Job.objects.select_related("owner", "suite", "benchmark", "level", "host", "submission")
    return jobs if user.is_staff else jobs.filter(owner=user)


def job_visible_or_404(user: User | AnonymousUser, job_id: str) -> Job:
    """The job if `user` may see it; else 404, not 403: a job's existence is private too."""
    return get_object_or_404(job_list_visible(user), pk=job_id)


def job_can_cancel(user: User | AnonymousUser, job: Job) -> bool:
    """Whoever may see a job may cancel it while it is active."""
    return job.is_active and job_list_visible(user).filter(pk=job.pk).exists()


def pool_hosts_online(pool: str) -> QuerySet[RunnerHost]:
    """The pool's active hosts heard from within the heartbeat timeout (a job's or an idle host's)."""
    since = timezone.now() - timedelta(seconds=settings.RUNNER_HEARTBEAT_TIMEOUT_S)
    return RunnerHost.objects.filter(pool=pool, is_active=True, last_seen_at__gte=since)


def job_waiting_note(job: Job) -> str:
    """What a queued job waits for, in words for its page and the API; empty once it runs."""
    if job.status != JobStatus.QUEUED:
        return ""
    if not pool_hosts_online(job.pool).exists():
        return f"No host online in pool {job.pool}: the job starts when one comes online."
    return f"Waiting for a host in pool {job.pool}."
