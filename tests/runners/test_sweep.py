"""Lost jobs: no heartbeat for RUNNER_HEARTBEAT_TIMEOUT_S -> lost, re-queued once, then lost for good."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from runners.models import Job
from runners.states import JobStatus
from runners.tasks import sweep_lost_jobs
from tests.support.runner_jobs import drain, job_secret

pytestmark = pytest.mark.django_db


def heartbeat(job, secret: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JobSecret {secret}")
    return client.post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/").status_code


def go_quiet(job, seconds: float) -> None:
    Job.objects.filter(pk=job.pk).update(last_heartbeat_at=timezone.now() - timedelta(seconds=seconds))


def sweep() -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return sweep_lost_jobs.apply().get()


def test_it_leaves_a_job_that_heart_beats_alone(make_job, owner, settings):
    job = make_job(owner)
    heartbeat(job, job_secret(job))
    go_quiet(job, settings.RUNNER_HEARTBEAT_TIMEOUT_S - 10)

    assert sweep() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_it_requeues_a_lost_job_once_with_a_new_secret(make_job, owner, pool, settings):
    settings.RUNNER_HEARTBEAT_TIMEOUT_S = 30
    job = make_job(owner)
    old_secret = job_secret(job)
    heartbeat(job, old_secret)
    go_quiet(job, 31)

    assert sweep() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempt == 2 and job.host is None
    assert [e.to_status for e in job.events.all()] == ["queued", "running", "lost", "queued"]
    assert job.events.all()[2].reason.startswith("No heartbeat from its host for 31 s (limit 30 s)")
    [message] = drain(f"runner.{pool}")
    assert message.headers["id"] == f"{job.pk}-2"
    new_secret = message.payload[1]["secret"]
    # The host that was given up on can no longer report into the new attempt.
    assert heartbeat(job, old_secret) == 403
    assert heartbeat(job, new_secret) == 200


def test_it_leaves_a_job_lost_the_second_time(make_job, owner, pool, settings):
    job = make_job(owner)
    heartbeat(job, job_secret(job))
    go_quiet(job, settings.RUNNER_HEARTBEAT_TIMEOUT_S + 1)
    sweep()
    job.refresh_from_db()
    heartbeat(job, job_secret(job))
    go_quiet(job, settings.RUNNER_HEARTBEAT_TIMEOUT_S + 1)

    assert sweep() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.LOST and job.attempt == 2 and job.finished_at is not None
    assert drain(f"runner.{pool}", timeout=0.5) == []
    assert sweep() == 0


def test_it_never_sweeps_a_queued_job(make_job, owner):
    job = make_job(owner)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=1))

    assert sweep() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_it_is_on_the_beat_schedule(settings):
    assert {"task": "runners.sweep_lost_jobs", "schedule": 60.0} in settings.CELERY_BEAT_SCHEDULE.values()
