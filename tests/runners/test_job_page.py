"""The job's page: owner and staff only, live progress and log tail, reloading while active."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.support.runner_jobs import job_secret

pytestmark = pytest.mark.django_db


def start_with_progress(job) -> None:
    runner = APIClient()
    runner.credentials(HTTP_AUTHORIZATION=f"JobSecret {job_secret(job)}")
    runner.post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/")
    progress = {
        "state": "running",
        "run": 2,
        "runs": 3,
        "epoch": 4,
        "max_epochs": 10,
        "quality": 0.0712,
        "eta_s": 95.0,
    }
    runner.post(
        f"/api/v1/runner/jobs/{job.pk}/progress/",
        {"progress": progress, "log_tail": "run 2/3 epoch 4/10 quality 0.0712 <script>x</script>"},
        format="json",
    )


def test_it_shows_the_owner_progress_and_the_log_tail(client, make_job, owner):
    job = make_job(owner)
    start_with_progress(job)
    client.force_login(owner)

    page = client.get(reverse("runners:job-detail", args=[job.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="5">' in page
    assert "2 of 3" in page and "4 of at most 10" in page and "0.0712" in page and "95 s" in page
    assert "run 2/3 epoch 4/10 quality 0.0712 &lt;script&gt;x&lt;/script&gt;" in page
    assert "Cancel job" in page


def test_it_stops_reloading_once_the_job_ended(client, make_job, owner):
    job = make_job(owner)
    client.force_login(owner)
    client.post(reverse("runners:job-cancel", args=[job.pk]))

    page = client.get(reverse("runners:job-detail", args=[job.pk])).content.decode()

    assert 'http-equiv="refresh"' not in page
    assert "Cancel job" not in page
    assert "Cancelled by owner." in page


def test_it_shows_staff_any_job(client, make_job, owner, reviewer):
    job = make_job(owner)
    client.force_login(reviewer)

    assert client.get(reverse("runners:job-detail", args=[job.pk])).status_code == 200


def test_it_hides_the_job_from_everyone_else(client, make_job, owner, member, outsider):
    job = make_job(owner)
    url = reverse("runners:job-detail", args=[job.pk])

    assert client.get(url).status_code == 302  # to the login page
    for user in (member, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_it_queues_a_job_from_the_form(client, owner, org, settings, pool):
    settings.RUNNER_DEFAULT_POOL = pool
    client.force_login(owner)

    response = client.post(
        reverse("runners:job-new"),
        {
            "benchmark": "hpc-ai500/image-classification",
            "level": "system",
            "profile": "smoke",
            "availability": "research",
            "hyperparameters": '{"global_batch_size": 128}',
            "organization": org.slug,
        },
    )

    job = owner.runner_jobs.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "runners:job-detail", args=[job.pk]
    )
    assert job.config["hyperparameters"] == {"global_batch_size": 128} and job.organization == org


def test_it_shows_the_level_errors_on_the_form(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("runners:job-new"),
        {
            "benchmark": "hpc-ai500/image-classification",
            "level": "hardware",
            "profile": "smoke",
            "availability": "research",
            "hyperparameters": '{"precision": "bf16"}',
        },
    )

    assert response.status_code == 200
    assert "the hardware level runs the reference hyper-parameters" in response.content.decode()
    assert not owner.runner_jobs.exists()


def test_a_queued_job_says_when_no_host_is_online_in_its_pool(client, make_job, owner, pool):
    from runners.services import runner_host_register

    job = make_job(owner)
    client.force_login(owner)
    page = client.get(reverse("runners:job-detail", args=[job.pk])).content.decode()
    assert f"No host online in pool {pool}" in page
    api = client.get(reverse("api-model-submission-detail", args=[job.pk])).json()
    assert api["waiting"].startswith(f"No host online in pool {pool}")

    # A host registered but never heard from is not online; one that reported just now is.
    host, _ = runner_host_register(name="gpu-01", pool=pool)
    assert (
        f"No host online in pool {pool}"
        in client.get(reverse("runners:job-detail", args=[job.pk])).content.decode()
    )
    from django.utils import timezone

    host.last_seen_at = timezone.now()
    host.save(update_fields=["last_seen_at"])
    page = client.get(reverse("runners:job-detail", args=[job.pk])).content.decode()
    assert f"Waiting for a host in pool {pool}." in page and "No host online" not in page


def test_a_host_heard_from_too_long_ago_is_not_online(client, make_job, owner, pool, settings):
    from datetime import timedelta

    from django.utils import timezone

    from runners.services import runner_host_register

    job = make_job(owner)
    host, _ = runner_host_register(name="gpu-02", pool=pool)
    host.last_seen_at = timezone.now() - timedelta(seconds=settings.RUNNER_HEARTBEAT_TIMEOUT_S + 5)
    host.save(update_fields=["last_seen_at"])
    client.force_login(owner)
    assert (
        f"No host online in pool {pool}"
        in client.get(reverse("runners:job-detail", args=[job.pk])).content.decode()
    )
