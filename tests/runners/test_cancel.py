"""Cancelling a job from the web: owner or staff; a running host hears it at its heartbeat."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from runners.states import JobStatus
from tests.support.clients import api_as
from tests.support.runner_jobs import job_secret

pytestmark = pytest.mark.django_db


def heartbeat(job, secret: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JobSecret {secret}")
    return client.post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/")


def test_it_lets_the_owner_cancel_a_running_job_and_tells_the_runner(client, make_job, owner):
    job = make_job(owner)
    secret = job_secret(job)
    heartbeat(job, secret)
    client.force_login(owner)

    response = client.post(reverse("runners:job-cancel", args=[job.pk]), follow=True)

    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.events.last().actor == owner
    answer = heartbeat(job, secret)
    assert answer.status_code == 200 and answer.json() == {"status": "cancelled", "cancel": True}


def test_it_lets_staff_cancel_through_the_api(make_job, owner, reviewer):
    job = make_job(owner)

    response = api_as(reviewer).post(f"/api/v1/model-submissions/{job.pk}/cancel/")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    job.refresh_from_db()
    assert job.events.last().reason == "Cancelled by reviewer."


def test_it_hides_the_job_from_others(client, make_job, owner, member, outsider):
    job = make_job(owner)
    for user in (member, outsider):
        client.force_login(user)
        assert client.post(reverse("runners:job-cancel", args=[job.pk])).status_code == 404
        assert api_as(user).post(f"/api/v1/model-submissions/{job.pk}/cancel/").status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_it_keeps_a_failure_from_overwriting_the_cancel(make_job, owner):
    job = make_job(owner)
    secret = job_secret(job)
    heartbeat(job, secret)
    api_as(owner).post(f"/api/v1/model-submissions/{job.pk}/cancel/")

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JobSecret {secret}")
    response = client.post(f"/api/v1/runner/jobs/{job.pk}/failure/", {"reason": "stopped"}, format="json")

    assert response.json() == {"status": "cancelled"}
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_it_cannot_cancel_a_finished_job(make_job, owner):
    job = make_job(owner)
    api_as(owner).post(f"/api/v1/model-submissions/{job.pk}/cancel/")

    response = api_as(owner).post(f"/api/v1/model-submissions/{job.pk}/cancel/")

    assert response.status_code == 409
    assert job.events.count() == 2
