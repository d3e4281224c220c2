"""Attacks on "runner-verified": each must fail, and the badge stays where the runner earned it.

A submission is runner-verified only when a job the service queued uploads, with its current
secret and from a host of its pool, a bundle that ran exactly what the job asked for.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from runners.models import Job
from runners.services import job_sweep_lost, runner_host_register
from runners.states import JobStatus
from submissions.models import Provenance, StatusEvent, Submission
from submissions.provenance import submission_change_organization, submission_change_provenance
from submissions.services import submission_transition
from submissions.states import Status
from tests.support.clients import api_as, runner_as
from tests.support.job_bundles import job_bundle
from tests.support.runner_jobs import job_secret

pytestmark = pytest.mark.django_db


def upload(client: APIClient, job: Job, bundle) -> dict:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/api/v1/runner/jobs/{job.pk}/bundle/", {"bundle": bundle}, format="multipart"
        )
    return {**response.json(), "code": response.status_code}


def started(job: Job, pool: str, name: str = "gpu-a") -> tuple[APIClient, str]:
    _, token = runner_host_register(name=name, pool=pool)
    client = runner_as(job_secret(job), token)
    assert client.post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/").status_code == 200
    return client, token


@pytest.fixture
def verified(make_job, owner, org, pool) -> Submission:
    """A runner-verified submission, made the only way there is: its job's matching upload."""
    job = make_job(owner, organization=org)
    client, _ = started(job, pool)
    answer = upload(client, job, job_bundle(job))
    assert answer["code"] == 201, answer
    submission = Submission.objects.get(pk=answer["submission"])
    assert submission.provenance == Provenance.RUNNER_VERIFIED
    assert f"runner job {job.pk}" in submission.events.first().reason  # the evidence, in the history
    return submission


def assert_refused(answer: dict, job: Job, reason: str) -> None:
    assert answer["code"] == 422 and any(reason in r for r in answer["reasons"]), answer
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and reason in job.failure_reason
    assert job.submission is None
    assert not Submission.objects.filter(provenance=Provenance.RUNNER_VERIFIED).exists()


# --- Corrections ------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["api", "form"])
def test_a_correction_of_a_runner_verified_submission_is_submitter_reported(verified, owner, client, via):
    # The reviewer sends it back; the owner answers with a bundle of their own making.
    Submission.objects.filter(pk=verified.pk).update(status=Status.AWAITING_REVIEW)
    submission_transition(submission=verified, to=Status.CHANGES_REQUESTED, actor=None, reason="Add a run.")
    forged = SimpleUploadedFile("forged.tar.gz", verified.bundle.open("rb").read())
    with TestCase.captureOnCommitCallbacks(execute=True):
        if via == "api":
            response = api_as(owner).post(
                reverse("api-submission-corrections", args=[verified.pk]),
                {"bundle": forged, "reason": "Better figures."},
                format="multipart",
            )
        else:
            client.force_login(owner)
            response = client.post(
                reverse("review:correct", args=[verified.pk]), {"bundle": forged, "reason": "Better figures."}
            )
    assert response.status_code in (201, 302), response.content
    corrected = Submission.objects.get(supersedes=verified)
    assert corrected.provenance == Provenance.SUBMITTER_REPORTED
    assert Submission.objects.filter(provenance=Provenance.RUNNER_VERIFIED).get() == verified


# --- Admin edits -------------------------------------------------------------------------


def test_an_admin_edit_changes_neither_provenance_nor_organization(
    client, reviewer, owner, other_org, verified
):
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    reviewer.is_superuser = True  # the strongest admin: the fields are still not editable
    reviewer.save()
    client.force_login(reviewer)
    url = reverse("admin:submissions_submission_change", args=[verified.pk])
    events = StatusEvent.objects.count()

    client.post(url, {"provenance": Provenance.SUBMITTER_REPORTED, "organization": other_org.pk})

    page = client.get(url).content.decode()
    assert 'name="provenance"' not in page and 'name="organization"' not in page
    verified.refresh_from_db()
    assert verified.provenance == Provenance.RUNNER_VERIFIED and verified.organization != other_org
    assert StatusEvent.objects.count() == events


def test_no_service_makes_a_submission_runner_verified(reviewer, owner, org):
    from submissions.services import submission_create

    submission, _ = submission_create(
        owner=owner, bundle=SimpleUploadedFile("b.tar.gz", b"x"), bundle_name="b"
    )
    with pytest.raises(ValueError, match="never from an edit"):
        submission_change_provenance(
            submission=submission, provenance=Provenance.RUNNER_VERIFIED, actor=reviewer, reason="Trust me."
        )
    with pytest.raises(PermissionDenied):
        submission_change_organization(submission=submission, organization=org, actor=owner, reason="Mine.")
    submission.refresh_from_db()
    assert submission.provenance == Provenance.SUBMITTER_REPORTED and submission.organization is None


def test_a_provenance_or_organization_change_is_recorded_with_who_and_why(verified, reviewer, other_org):
    submission_change_provenance(
        submission=verified,
        provenance=Provenance.SUBMITTER_REPORTED,
        actor=reviewer,
        reason="Host was tampered.",
    )
    submission_change_organization(
        submission=verified, organization=other_org, actor=reviewer, reason="Typo."
    )

    verified.refresh_from_db()
    assert verified.provenance == Provenance.SUBMITTER_REPORTED and verified.organization == other_org
    reasons = [e.reason for e in verified.events.filter(actor=reviewer)]
    assert reasons == [
        "Provenance changed from Runner-verified to Submitter-reported: Host was tampered.",
        f"Organization changed from {verified.runner_jobs.get().organization} to {other_org}: Typo.",
    ]


# --- Uploads that are not the job's output -------------------------------------------------


def test_a_bundle_for_another_job_is_refused_and_fails_the_job(make_job, owner, pool):
    other = make_job(owner, level="system", hyperparameters={"global_batch_size": 1024}, max_epochs=2)
    job = make_job(owner)
    client, _ = started(job, pool)

    answer = upload(client, job, job_bundle(other))

    assert_refused(answer, job, "level is 'system'; the job's is 'hardware'")
    assert any("hyper-parameter global_batch_size is 1024" in r for r in answer["reasons"])


def test_a_full_profile_bundle_for_a_smoke_job_is_refused(make_job, owner, pool):
    job = make_job(owner)
    client, _ = started(job, pool)

    assert_refused(
        upload(client, job, job_bundle(job, profile="full")), job, "profile is 'full'; the job's is 'smoke'"
    )


def test_a_bundle_with_other_seeds_or_another_model_is_refused(make_job, owner, pool):
    job = make_job(owner)
    client, _ = started(job, pool)

    answer = upload(client, job, job_bundle(job, seeds=[7, 8, 9], model="caser-large"))

    assert_refused(answer, job, "the runs' seeds are [7, 8, 9]; the job's are [1000, 1001, 1002]")
    assert "model is 'caser-large'; the job's is 'caser'" in answer["reasons"]


def test_a_bundle_under_another_organization_is_refused(make_job, owner, pool):
    job = make_job(owner)
    client, _ = started(job, pool)

    answer = upload(client, job, job_bundle(job, organization="Forged Lab"))

    assert_refused(answer, job, "organization is 'Forged Lab'; the job's is 'BenchCouncil runner'")


def test_a_bundle_with_fewer_runs_is_refused(make_job, owner, pool):
    job = make_job(owner)
    client, _ = started(job, pool)

    assert_refused(
        upload(client, job, job_bundle(job, seeds=[1000])), job, "holds 1 run(s); the job asked for 3"
    )


def test_model_code_is_matched_by_its_digest(make_job, owner, pool):
    code = (
        "import torch\n\n"
        "def build_model(num_users, num_items, sequence_length):\n    return torch.nn.Linear(1, 1)\n"
    )
    job = make_job(owner, level="free", model_code=code)
    client, _ = started(job, pool)

    assert_refused(upload(client, job, job_bundle(job, model_code_sha256="0" * 64)), job, "model code digest")


def test_another_pools_host_can_neither_heartbeat_nor_upload(make_job, owner, pool):
    job = make_job(owner)
    secret = job_secret(job)
    _, stranger = runner_host_register(name="gpu-elsewhere", pool=f"{pool}-other")

    beat = runner_as(secret, stranger).post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/")
    assert beat.status_code == 403 and "not the job's pool" in beat.json()["detail"]
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.host is None

    _, own = runner_host_register(name="gpu-own", pool=pool)
    assert runner_as(secret, own).post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/").status_code == 200
    assert_refused(upload(runner_as(secret, stranger), job, job_bundle(job)), job, "not the job's pool")


def test_another_host_of_the_pool_cannot_upload_for_a_started_job(make_job, owner, pool):
    job = make_job(owner)
    secret = job_secret(job)
    _, first = runner_host_register(name="gpu-a", pool=pool)
    _, second = runner_host_register(name="gpu-b", pool=pool)
    assert runner_as(secret, first).post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/").status_code == 200

    assert runner_as(secret, second).post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/").status_code == 403
    assert_refused(
        upload(runner_as(secret, second), job, job_bundle(job)), job, "host gpu-b is not the job's host"
    )


def test_an_upload_without_a_host_token_is_refused(make_job, owner, pool):
    job = make_job(owner)
    secret = job_secret(job)
    runner_as(secret).post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/")

    assert_refused(upload(runner_as(secret), job, job_bundle(job)), job, "no runner host token")


# --- Replayed secrets ------------------------------------------------------------------------


def test_a_replayed_secret_cannot_upload_a_second_bundle(make_job, owner, pool):
    job = make_job(owner)
    secret = job_secret(job)
    _, token = runner_host_register(name="gpu-a", pool=pool)
    client = runner_as(secret, token)
    client.post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/")
    first = upload(client, job, job_bundle(job))
    assert first["code"] == 201

    # The job's secret and host, replayed once the job finished, with a bundle of the attacker's.
    replay = upload(client, job, job_bundle(job, organization="Forged Lab"))

    assert replay["code"] == 409 and "cannot upload another bundle" in replay["detail"]
    assert upload(client, job, job_bundle(job))["submission"] == first["submission"]  # a true retry
    assert Submission.objects.count() == 1


def test_the_secret_of_a_lost_attempt_is_dead_after_the_requeue(make_job, owner, pool, settings):
    from datetime import timedelta

    from django.utils import timezone

    job = make_job(owner)
    old_secret = job_secret(job)
    _, token = runner_host_register(name="gpu-a", pool=pool)
    assert runner_as(old_secret, token).post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/").status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        job_sweep_lost(now=timezone.now() + timedelta(seconds=settings.RUNNER_HEARTBEAT_TIMEOUT_S + 5))
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempt == 2

    answer = upload(runner_as(old_secret, token), job, job_bundle(job))

    assert answer["code"] == 403
    assert not Submission.objects.exists()


def test_a_submitter_cannot_take_the_runners_upload_in_advance(make_job, owner, pool):
    job = make_job(owner)
    client, _ = started(job, pool)
    # The owner knows the job's id and uploads a bundle of their own under a key a runner used to use.
    forged = SimpleUploadedFile("forged.tar.gz", job_bundle(job, organization="Forged Lab").read())
    with TestCase.captureOnCommitCallbacks(execute=True):
        api_as(owner).post(
            "/api/v1/submissions/", {"bundle": forged}, format="multipart",
            HTTP_IDEMPOTENCY_KEY=f"runner-job-{job.pk}-{job.attempt}",
        )  # fmt: skip

    answer = upload(client, job, job_bundle(job))

    assert answer["code"] == 201
    job.refresh_from_db()
    assert str(job.submission.pk) == answer["submission"]
    assert job.submission.provenance == Provenance.RUNNER_VERIFIED
    assert "Forged Lab" not in job.submission.bundle.open("rb").read().decode("latin-1")
    assert owner.submissions.get(provenance=Provenance.SUBMITTER_REPORTED).organization_name == "Forged Lab"


def test_the_change_command_records_a_downgrade_and_refuses_an_upgrade(verified, reviewer, owner):
    out = io.StringIO()
    call_command(
        "change_submission", str(verified.pk), "--by", reviewer.username,
        "--reason", "Rerun on a patched host.", "--provenance", Provenance.SUBMITTER_REPORTED, stdout=out,
    )  # fmt: skip
    verified.refresh_from_db()
    assert verified.provenance == Provenance.SUBMITTER_REPORTED
    assert verified.events.filter(actor=reviewer, reason__endswith="Rerun on a patched host.").exists()

    with pytest.raises(CommandError, match="never from an edit"):
        call_command(
            "change_submission", str(verified.pk), "--by", reviewer.username, "--reason", "Back, please.",
            "--provenance", Provenance.RUNNER_VERIFIED,
        )  # fmt: skip
    with pytest.raises(CommandError, match="Only staff"):
        call_command(
            "change_submission",
            str(verified.pk),
            "--by",
            owner.username,
            "--reason",
            "Mine.",
            "--no-organization",
        )
    verified.refresh_from_db()
    assert verified.provenance == Provenance.SUBMITTER_REPORTED and verified.organization is not None
