"""What a Slurm login node reports of a job, and how the job's states follow Slurm's."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from runners.models import Job
from runners.services import job_transition, runner_host_register
from runners.states import JobStatus
from tests.support.clients import runner_as
from tests.support.runner_jobs import job_secret

pytestmark = pytest.mark.django_db


def report(client: APIClient, job: Job, **fields):
    body = {"scheduler": "slurm", "job_id": "4242", **fields}
    return client.post(f"/api/v1/runner/jobs/{job.pk}/scheduler/", body, format="json")


def test_it_keeps_a_pending_job_queued_with_slurms_reason(make_job, owner):
    job = make_job(owner)
    client = runner_as(job_secret(job))

    answer = report(client, job, state="PENDING", reason="Resources")

    job.refresh_from_db()
    assert answer.json() == {"status": "queued", "cancel": False, "scheduler": {}}
    assert job.status == JobStatus.QUEUED
    assert (job.scheduler["job_id"], job.scheduler["state"], job.scheduler["reason"]) == (
        "4242",
        "PENDING",
        "Resources",
    )
    page_client = APIClient()
    page_client.force_login(owner)
    page = page_client.get(f"/runners/jobs/{job.pk}/").content.decode()
    assert "Waiting in Slurm's queue (job 4242, pending: Resources)." in page
    shown = page_client.get(f"/api/v1/model-submissions/{job.pk}/").json()["scheduler"]
    assert (shown["job_id"], shown["state"], shown["reason"]) == ("4242", "PENDING", "Resources")


def test_it_starts_the_job_when_slurm_runs_it(make_job, owner, pool):
    host, token = runner_host_register(name="login-1", pool=pool)
    job = make_job(owner)
    client = runner_as(job_secret(job), token)

    report(client, job, state="PENDING", reason="Priority")
    answer = report(client, job, state="RUNNING", reason="None", nodes="n[1-2]")

    job.refresh_from_db()
    assert answer.json()["status"] == "running" and answer.json()["scheduler"]["state"] == "PENDING"
    assert job.status == JobStatus.RUNNING and job.host == host
    assert job.events.last().reason == "Slurm job 4242 started on n[1-2] (attempt 1)."


def ended(make_job, owner, state: str, exit_code: str, log: str = ""):
    """A running job's login node reporting that Slurm ended it; the job and the answer."""
    job = make_job(owner)
    client = runner_as(job_secret(job))
    report(client, job, state="RUNNING")
    answer = report(client, job, state=state, exit_code=exit_code, time_limit="01:05:00", log_tail=log)
    job.refresh_from_db()
    return job, answer


@pytest.mark.parametrize(
    ("state", "exit_code", "log", "reason"),
    [
        (
            "FAILED",
            "1:0",
            "boom\n",
            "Slurm job 4242 ended FAILED (exit code 1:0). Last lines of its log: boom",
        ),
        ("OUT_OF_MEMORY", "0:125", "", "Slurm job 4242 ended OUT_OF_MEMORY (exit code 0:125)."),
        ("TIMEOUT", "0:15", "", "Slurm stopped job 4242 at its time limit (--time 01:05:00)."),
        ("COMPLETED", "0:0", "", "Slurm job 4242 completed (exit code 0:0) but no bundle was uploaded."),
    ],
)
def test_it_fails_the_job_as_slurm_ended_it(make_job, owner, state, exit_code, log, reason):
    job, answer = ended(make_job, owner, state, exit_code, log)

    assert answer.json()["status"] == "failed" and answer.json()["cancel"] is True
    assert job.status == "failed"
    assert job.failure_reason.startswith(reason)


def test_it_cancels_the_job_slurm_cancelled(make_job, owner):
    job, answer = ended(make_job, owner, "CANCELLED", "0:15")

    assert answer.json()["status"] == "cancelled" and answer.json()["cancel"] is True
    assert job.status == "cancelled"
    assert job.failure_reason == ""
    assert job.events.last().reason == "Slurm job 4242 was cancelled in Slurm."


def test_it_marks_a_running_job_lost_when_its_slurm_job_vanished_and_requeues_it(make_job, owner):
    job = make_job(owner)
    client = runner_as(job_secret(job))
    report(client, job, state="RUNNING")

    report(client, job, state="VANISHED")

    job.refresh_from_db()
    assert [e.to_status for e in job.events.all()] == ["queued", "running", "lost", "queued"]
    assert job.events.all()[2].reason == "Slurm job 4242 is no longer known to Slurm."
    assert job.attempt == 2 and job.scheduler == {}
    # The new attempt has a new secret: the old login node is told so, and stops.
    assert report(client, job, state="RUNNING").status_code == 403


def test_it_fails_a_queued_job_whose_slurm_job_vanished_before_it_started(make_job, owner):
    job = make_job(owner)

    report(runner_as(job_secret(job)), job, state="VANISHED")

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.failure_reason == "Slurm job 4242 is no longer known to Slurm before it started."


def test_it_tells_the_login_node_to_scancel_a_job_cancelled_on_the_web(make_job, owner, reviewer):
    job = make_job(owner)
    client = runner_as(job_secret(job))
    report(client, job, state="RUNNING")
    job_transition(job=job, to=JobStatus.CANCELLED, actor=reviewer, reason="Wrong pool.")

    answer = report(client, job, state="RUNNING")

    assert answer.json()["status"] == "cancelled" and answer.json()["cancel"] is True


def test_it_records_how_slurm_ended_a_finished_job_without_moving_it(make_job, owner):
    job = make_job(owner)
    client = runner_as(job_secret(job))
    report(client, job, state="RUNNING")
    job_transition(job=job, to=JobStatus.FINISHED, actor=None, reason="Bundle uploaded.")

    report(client, job, state="COMPLETED", exit_code="0:0")

    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED and job.failure_reason == ""
    assert (job.scheduler["state"], job.scheduler["exit_code"]) == ("COMPLETED", "0:0")


def test_it_refuses_what_is_not_a_slurm_state_or_not_the_jobs_secret(make_job, owner):
    job = make_job(owner)
    secret = job_secret(job)

    bad_state = report(runner_as(secret), job, state="EXPLODED")
    bad_secret = report(runner_as("bcrj_wrong"), job, state="RUNNING")

    assert bad_state.status_code == 400 and "not a Slurm job state" in bad_state.json()["detail"]
    assert bad_secret.status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.scheduler == {}
