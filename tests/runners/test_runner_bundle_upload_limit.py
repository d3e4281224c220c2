"""The runner bundle endpoint is behind the service's one upload limit."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from runners.states import JobStatus
from tests.support.runner_jobs import EXAMPLES, job_secret

pytestmark = pytest.mark.django_db

BUNDLE = EXAMPLES / "aibench-image-classification-hardware.tar.gz"


def test_it_refuses_a_bundle_over_the_limit_before_reading_it(make_job, owner, settings):
    job = make_job(owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JobSecret {job_secret(job)}")
    client.post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/")
    settings.UPLOAD_HARD_LIMIT_BYTES = BUNDLE.stat().st_size // 2

    with BUNDLE.open("rb") as bundle:
        response = client.post(
            f"/api/v1/runner/jobs/{job.pk}/bundle/", {"bundle": bundle}, format="multipart"
        )

    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert response.wsgi_request.environ["wsgi.input"].read_started is False
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.submission is None
