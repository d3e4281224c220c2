"""Reproductions: queue a submission's configuration again, then compare the figures."""

from __future__ import annotations

import io

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from runners.models import Job
from runners.reproduction import ReproductionError
from runners.services import job_compare_with_submission, job_create_reproduction, runner_host_register
from runners.states import JobStatus
from submissions.models import Run
from submissions.services import submission_create
from submissions.states import Status
from tests.support.job_bundles import job_bundle, job_bundle_like
from tests.support.runner_jobs import EXAMPLES, drain, job_secret

pytestmark = pytest.mark.django_db


def example(name: str) -> io.BytesIO:
    stream = io.BytesIO((EXAMPLES / name).read_bytes())
    stream.name = name
    return stream


def uploaded(owner, name: str):
    with TestCase.captureOnCommitCallbacks(execute=True):
        submission, _ = submission_create(owner=owner, bundle=example(name), bundle_name=name)
    submission.refresh_from_db()
    assert submission.status == Status.AWAITING_REVIEW
    return submission


def finish(job: Job, bundle_name: str | None = None):
    """Play the runner: start the job and upload its bundle (with `bundle_name`'s runs, if given)."""
    _, token = runner_host_register(name=f"host-{job.pk.hex[:8]}", pool=job.pool)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JobSecret {job_secret(job)}", HTTP_X_RUNNER_HOST_TOKEN=token)
    client.post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/")
    bundle = job_bundle_like(job, (EXAMPLES / bundle_name).read_bytes()) if bundle_name else job_bundle(job)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/api/v1/runner/jobs/{job.pk}/bundle/", {"bundle": bundle}, format="multipart"
        )
    assert response.status_code == 201, response.json()
    job.refresh_from_db()
    return job.submission


def reproduce(submission, reviewer) -> Job:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return job_create_reproduction(submission=submission, requested_by=reviewer)


@pytest.fixture(autouse=True)
def reproduction_pool(settings, pool):
    settings.RUNNER_REPRODUCTION_POOL = pool


def test_it_repeats_a_runner_jobs_configuration(make_job, owner, reviewer, pool):
    original_job = make_job(owner, level="system", hyperparameters={"global_batch_size": 1024}, max_epochs=2)
    submission = finish(original_job)

    with TestCase.captureOnCommitCallbacks(execute=True):
        job = job_create_reproduction(submission=submission, requested_by=reviewer)

    assert job.owner == reviewer and job.reproduction_of == submission and job.status == JobStatus.QUEUED
    assert job.pool == pool and job.level.slug == "system" and job.profile == "smoke"
    assert job.config["hyperparameters"] == {"global_batch_size": 1024}
    assert job.config["max_epochs"] == 2
    [message] = drain(f"runner.{pool}")
    assert message.payload[1]["job_id"] == str(job.pk)


def test_it_derives_an_uploaded_bundles_configuration_at_its_level(reviewer, owner):
    submission = uploaded(owner, "hpc-ai500-image-classification-system.tar.gz")

    job = job_create_reproduction(submission=submission, requested_by=reviewer)

    assert (job.suite.slug, job.benchmark.slug, job.level.slug) == (
        "hpc-ai500",
        "image-classification",
        "system",
    )
    # No full data sets on these runners: the smoke profile, so never ranked with the original.
    assert job.profile == "smoke"
    assert job.config["hyperparameters"] == {
        "global_batch_size": 8192,
        "opt_base_learning_rate": 3.2,
        "opt_learning_rate_schedule": "cosine",
        "opt_learning_rate_warmup_epochs": 5,
        "opt_weight_decay": 5e-05,
        "precision": "fp16",
    }


def test_it_refuses_an_uploaded_free_level_bundle(reviewer, owner):
    submission = uploaded(owner, "hpc-ai500-extreme-weather-free.tar.gz")

    with pytest.raises(ReproductionError, match="free-level"):
        job_create_reproduction(submission=submission, requested_by=reviewer)
    assert not Job.objects.exists()


def test_it_finds_a_faithful_reproduction_within_tolerance(reviewer, owner, settings):
    settings.RUNNER_FULL_PROFILE = True
    original = uploaded(owner, "aibench-image-classification-hardware.tar.gz")
    job = reproduce(original, reviewer)
    finish(job, "aibench-image-classification-hardware.tar.gz")

    result = job_compare_with_submission(job=job)

    assert result["within_tolerance"] is True
    assert set(result["figures"]) == {"per_sample_flops", "achieved_quality", "time_to_train_s"}
    assert result["figures"]["time_to_train_s"]["difference"] == 0
    assert result["tolerance"] == settings.REPRODUCTION_TOLERANCE


def test_it_flags_a_reproduction_that_trains_much_slower(reviewer, owner, settings):
    settings.RUNNER_FULL_PROFILE = True
    original = uploaded(owner, "aibench-image-classification-hardware.tar.gz")
    job = reproduce(original, reviewer)
    reproduction = finish(job, "aibench-image-classification-hardware.tar.gz")
    for run in Run.objects.filter(submission=reproduction):
        run.time_to_train_s *= 1.25
        run.save(update_fields=["time_to_train_s"])

    result = job_compare_with_submission(job=job)

    time = result["figures"]["time_to_train_s"]
    assert time["within"] is False and time["difference"] == pytest.approx(0.25)
    assert result["figures"]["achieved_quality"]["within"] is True
    assert result["within_tolerance"] is False


def test_it_compares_no_figure_across_profiles(reviewer, owner):
    original = uploaded(owner, "aibench-image-classification-hardware.tar.gz")
    job = reproduce(original, reviewer)
    reproduction = finish(job, "aibench-image-classification-hardware.tar.gz")
    type(reproduction).objects.filter(pk=reproduction.pk).update(profile="smoke")
    job.refresh_from_db()

    result = job_compare_with_submission(job=job)

    # A smoke run's FLOPs per sample are its smaller input's, like its time and quality.
    assert result["figures"] == {} and result["within_tolerance"] is None
    assert "no figure is compared" in result["notes"][0]


def test_it_says_when_there_is_nothing_to_compare_yet(reviewer, owner):
    original = uploaded(owner, "aibench-image-classification-hardware.tar.gz")
    job = reproduce(original, reviewer)

    result = job_compare_with_submission(job=job)

    assert result["within_tolerance"] is None
    assert result["notes"] == ["The reproduction has no validated bundle yet (job queued)."]
