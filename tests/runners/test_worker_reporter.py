"""The runner side's heartbeat thread against a live service: cancel and revocation stop it."""

from __future__ import annotations

import time

import pytest
from django.test import TestCase

from runners.models import Job
from runners.services import job_cancel, job_create
from runners.states import JobStatus
from runners.worker.client import JobClient, JobRevoked
from runners.worker.reporter import JobReporter
from tests.support.runner_jobs import job_secret, spec

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def job(owner, pool) -> Job:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return job_create(owner=owner, spec=spec(), pool=pool)


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_it_stops_when_the_job_is_cancelled_from_the_web(live_server, job, owner):
    client = JobClient(live_server.url, str(job.pk), job_secret(job))
    assert client.heartbeat() == {"status": "running", "cancel": False}

    with JobReporter(client, interval_s=0.1) as reporter:
        reporter.on_progress({"state": "running", "run": 1, "runs": 3, "epoch": 1, "quality": 0.02})
        assert wait_until(lambda: Job.objects.get(pk=job.pk).progress.get("epoch") == 1)
        assert not reporter.should_stop()
        job_cancel(job=job, actor=owner)
        assert wait_until(reporter.should_stop)

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.progress["quality"] == 0.02 and job.progress["elapsed_s"] >= 0


def test_it_stops_when_its_secret_is_no_longer_the_jobs(live_server, job):
    client = JobClient(live_server.url, str(job.pk), "bcrj_an-old-secret")
    with pytest.raises(JobRevoked):
        client.heartbeat()

    with JobReporter(client, interval_s=0.1) as reporter:
        assert wait_until(reporter.should_stop)
    assert reporter.revoked


def test_it_reports_a_failure_with_its_reason(live_server, job):
    client = JobClient(live_server.url, str(job.pk), job_secret(job))
    client.heartbeat()

    assert client.fail("CUDA error: an illegal memory access") == {"status": "failed"}
    job.refresh_from_db()
    assert job.failure_reason == "CUDA error: an illegal memory access"
