"""The calls a runner makes about a job, each with the job's own secret."""

from __future__ import annotations

import io

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from runners.models import RunnerHost
from runners.services import runner_host_register
from runners.states import JobStatus
from submissions.models import Provenance
from submissions.states import Status
from tests.support.job_bundles import job_bundle
from tests.support.runner_jobs import EXAMPLES, job_secret

pytestmark = pytest.mark.django_db


def runner(secret: str, host_token: str | None = None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JobSecret {secret}")
    if host_token:
        client.credentials(HTTP_AUTHORIZATION=f"JobSecret {secret}", HTTP_X_RUNNER_HOST_TOKEN=host_token)
    return client


def url(job, action: str) -> str:
    return f"/api/v1/runner/jobs/{job.pk}/{action}/"


def bundle_file(name: str = "aibench-image-classification-hardware.tar.gz") -> io.BytesIO:
    stream = io.BytesIO((EXAMPLES / name).read_bytes())
    stream.name = "bundle.tar.gz"
    return stream


def test_it_starts_the_job_at_the_first_heartbeat_and_records_the_host(make_job, owner, pool):
    job = make_job(owner)
    host, token = runner_host_register(name="gpu-a", pool=pool)

    response = runner(job_secret(job), token).post(url(job, "heartbeat"), format="json")

    assert response.status_code == 200
    assert response.json() == {"status": "running", "cancel": False}
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.host == host and job.last_heartbeat_at is not None
    assert job.events.last().reason == "Started by host gpu-a (attempt 1)."
    assert RunnerHost.objects.get().last_seen_at is not None


@pytest.mark.parametrize("action", ["heartbeat", "progress", "failure"])
def test_it_refuses_a_wrong_secret_with_403(make_job, owner, action):
    job = make_job(owner)
    job_secret(job)

    response = runner("bcrj_guessed").post(url(job, action), {"reason": "x"}, format="json")

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.last_heartbeat_at is None


def test_it_refuses_a_bundle_without_the_secret(make_job, owner):
    job = make_job(owner)

    response = APIClient().post(url(job, "bundle"), {"bundle": bundle_file()}, format="multipart")

    assert response.status_code == 401
    assert job.events.count() == 1


def test_it_refuses_another_jobs_secret(make_job, owner):
    first, second = make_job(owner), make_job(owner)
    first_secret = job_secret(first)

    assert runner(first_secret).post(url(second, "heartbeat")).status_code == 403
    assert runner(first_secret).post(url(first, "heartbeat")).status_code == 200


def test_it_keeps_progress_and_the_log_tail(make_job, owner):
    job = make_job(owner)
    client = runner(job_secret(job))
    client.post(url(job, "heartbeat"))

    progress = {"run": 1, "runs": 3, "epoch": 2, "epochs": 4, "quality": 0.41, "eta_s": 12.5}
    response = client.post(
        url(job, "progress"), {"progress": progress, "log_tail": "epoch 2 done\n"}, format="json"
    )

    assert response.status_code == 200 and response.json() == {"status": "running", "cancel": False}
    job.refresh_from_db()
    assert job.progress == progress and job.log_tail == "epoch 2 done\n"


def test_it_turns_the_bundle_into_a_runner_verified_submission(make_job, owner, org, pool):
    job = make_job(owner, organization=org)
    _, token = runner_host_register(name="gpu-a", pool=pool)
    client = runner(job_secret(job), token)
    client.post(url(job, "heartbeat"))

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url(job, "bundle"), {"bundle": job_bundle(job)}, format="multipart")

    assert response.status_code == 201
    job.refresh_from_db()
    submission = job.submission
    assert response.json() == {"submission": str(submission.pk), "status": "finished"}
    assert job.status == JobStatus.FINISHED
    assert submission.owner == owner and submission.organization == org
    assert submission.provenance == Provenance.RUNNER_VERIFIED
    # ...and then the normal path: validated, waiting for review.
    assert submission.status == Status.AWAITING_REVIEW


def test_it_takes_a_retried_upload_without_a_second_submission(make_job, owner, pool):
    job = make_job(owner)
    _, token = runner_host_register(name="gpu-a", pool=pool)
    client = runner(job_secret(job), token)
    client.post(url(job, "heartbeat"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.post(url(job, "bundle"), {"bundle": job_bundle(job)}, format="multipart")
        again = client.post(url(job, "bundle"), {"bundle": job_bundle(job)}, format="multipart")

    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["submission"] == again.json()["submission"]
    assert owner.submissions.count() == 1


def test_it_refuses_a_bundle_for_a_job_that_is_not_running(make_job, owner, pool):
    job = make_job(owner)
    _, token = runner_host_register(name="gpu-a", pool=pool)
    client = runner(job_secret(job), token)

    response = client.post(url(job, "bundle"), {"bundle": job_bundle(job)}, format="multipart")

    assert response.status_code == 409
    assert not owner.submissions.exists()


def test_it_records_a_failure_with_the_runners_reason(make_job, owner):
    job = make_job(owner)
    client = runner(job_secret(job))
    client.post(url(job, "heartbeat"))

    response = client.post(url(job, "failure"), {"reason": "CUDA out of memory"}, format="json")

    assert response.status_code == 200 and response.json() == {"status": "failed"}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.failure_reason == "CUDA out of memory"
    assert job.events.last().reason == "Runner: CUDA out of memory"
