"""Model submissions run on a real two-node Slurm cluster, through the real runner and broker.

The runner is a Celery worker with RUNNER_LAUNCHER=slurm, as on a login node: it submits each
job with sbatch, and the harness runs on both nodes under srun + torchrun (gloo, one rank per
node). Rank 0 reports progress and uploads the bundle with the job's secret.
"""

from __future__ import annotations

import json
import subprocess
import tarfile

import pytest
from rest_framework.authtoken.models import Token

from runners import services
from runners.models import Job
from runners.states import JobStatus
from submissions.models import Provenance
from submissions.states import Status
from tests.support.workers import api_post, wait_for

SMOKE = {"suite": "aibench-training", "benchmark": "learning-to-rank", "level": "hardware"}
JOB_TIMEOUT_S = 420

pytestmark = [
    pytest.mark.slurm,
    pytest.mark.worker,
    pytest.mark.torch,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]


@pytest.fixture
def secrets_issued(monkeypatch) -> list[str]:
    """Every job secret the service issues, as the runner gets it in its message."""
    issued: list[str] = []
    real = services.new_secret

    def record(prefix: str) -> str:
        secret = real(prefix)
        issued.append(secret)
        return secret

    monkeypatch.setattr(services, "new_secret", record)
    return issued


def submit(live_server, owner, **body) -> Job:
    token, _ = Token.objects.get_or_create(user=owner)
    created = api_post(f"{live_server.url}/api/v1/model-submissions/", {**SMOKE, **body}, token.key)
    return Job.objects.get(pk=created["id"])


def ended(job: Job) -> Job:
    wait_for(lambda: not Job.objects.get(pk=job.pk).is_active, JOB_TIMEOUT_S, "the job to end")
    job.refresh_from_db()
    return job


def system_json(submission) -> dict:
    with submission.bundle.open("rb") as stream, tarfile.open(fileobj=stream, mode="r:gz") as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("/system.json"))
        return json.loads(archive.extractfile(member).read())


def slurm_state(slurm, slurm_id: str) -> str:
    out = slurm.run("scontrol", "show", "job", "--oneliner", slurm_id)
    return out.split("JobState=", 1)[1].split()[0]


def files_holding(folder, needle: str) -> list[str]:
    done = subprocess.run(["grep", "-rlF", needle, str(folder)], capture_output=True, text=True, check=False)
    return done.stdout.split()


def test_it_runs_a_two_node_job_to_awaiting_review(
    slurm, slurm_runner, live_server, owner, org, secrets_issued
):
    host, token, jobs_dir = slurm_runner

    job = ended(submit(live_server, owner, organization=org.slug, max_epochs=1, nodes=2))

    assert job.status == JobStatus.FINISHED, (job.failure_reason, job.log_tail[-2000:])
    assert job.config["nodes"] == 2 and job.config["accelerators_per_node"] == 0
    slurm_id = job.scheduler["job_id"]
    assert slurm_id.isdigit() and job.scheduler["nodes"] == "n[1-2]"
    assert [e.to_status for e in job.events.all()] == ["queued", "running", "finished"]
    assert f"Slurm job {slurm_id} started on n[1-2]" in job.events.all()[1].reason
    assert job.host == host
    assert job.progress["state"] == "finished"
    wait_for(
        lambda: Job.objects.get(pk=job.pk).submission.status not in (Status.RECEIVED, Status.VALIDATING),
        120,
        "validation",
    )
    submission = Job.objects.get(pk=job.pk).submission
    errors = list(submission.findings.filter(severity="error").values_list("message", flat=True))
    assert submission.status == Status.AWAITING_REVIEW, errors
    assert submission.provenance == Provenance.RUNNER_VERIFIED
    system = system_json(submission)
    assert system["number_of_nodes"] == 2 and system["accelerators_per_node"] == 0
    assert [node["node"] for node in system["nodes"]] == ["n1", "n2"]
    assert system["heterogeneous"] is False
    # World size 2, one rank per node: the torchrun log lines of both nodes are in Slurm's log.
    log = (jobs_dir / f"job-{job.pk}-1" / f"slurm-{slurm_id}.out").read_text()
    assert "allocation: 2 alike nodes" in log
    # The job's secret and the host token are in no file the job left, nor in Slurm's state
    # (the stored batch script and environment), nor in what Slurm shows of the job.
    secret = secrets_issued[-1]
    assert not (jobs_dir / f"job-{job.pk}-1" / "secret").exists()
    for needle in (secret, token):
        assert files_holding(jobs_dir, needle) == []
        assert files_holding(slurm.dir, needle) == []
        shown = slurm.run("scontrol", "show", "job", "-dd", slurm_id)
        assert needle not in shown
    # The runner follows Slurm's job to its end: the job shows how Slurm ended it.
    wait_for(lambda: Job.objects.get(pk=job.pk).scheduler["state"] == "COMPLETED", 60, "Slurm's end")
    assert slurm_state(slurm, slurm_id) == "COMPLETED"
    assert Job.objects.get(pk=job.pk).scheduler["exit_code"] == "0:0"


def test_it_shows_slurms_pending_reason_and_cancels_with_scancel(
    slurm, slurm_runner, live_server, owner, secrets_issued
):
    host, host_token, jobs_dir = slurm_runner
    token, _ = Token.objects.get_or_create(user=owner)
    # Far more epochs than the test waits for: it runs until it is cancelled.
    running = submit(live_server, owner, nodes=2, max_epochs=100_000)
    wait_for(lambda: Job.objects.get(pk=running.pk).progress.get("epoch"), 180, "the first job to train")
    # While it runs, Slurm holds its script and environment: neither has a secret in it.
    running_id = Job.objects.get(pk=running.pk).scheduler["job_id"]
    script = slurm.run("scontrol", "write", "batch_script", running_id, "-")
    assert "#SBATCH --nodes=2" in script
    for needle in (secrets_issued[-1], host_token):
        assert needle not in script
        assert files_holding(slurm.dir, needle) == [] and files_holding(jobs_dir, needle) == []
    waiting = submit(live_server, owner, nodes=2, max_epochs=1)

    # Both nodes are taken: Slurm holds the second job, and says why.
    wait_for(
        lambda: Job.objects.get(pk=waiting.pk).scheduler.get("reason") not in (None, "", "None"),
        90,
        "Slurm's pending reason",
    )
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.QUEUED and waiting.scheduler["state"] == "PENDING"
    assert waiting.scheduler["reason"] in ("Resources", "Priority")
    page = live_server_client(owner).get(f"/runners/jobs/{waiting.pk}/").content.decode()
    assert f"Waiting in Slurm's queue (job {waiting.scheduler['job_id']}, pending: " in page

    for job in (waiting, running):
        api_post(f"{live_server.url}/api/v1/model-submissions/{job.pk}/cancel/", None, token.key, expect=200)
        slurm_id = Job.objects.get(pk=job.pk).scheduler["job_id"]
        wait_for(lambda slurm_id=slurm_id: slurm_state(slurm, slurm_id) == "CANCELLED", 60, "scancel")
        wait_for(
            lambda job=job: Job.objects.get(pk=job.pk).scheduler["state"] == "CANCELLED", 60, "the report"
        )
    running.refresh_from_db()
    waiting.refresh_from_db()
    assert [e.to_status for e in running.events.all()] == ["queued", "running", "cancelled"]
    assert [e.to_status for e in waiting.events.all()] == ["queued", "cancelled"]


def test_it_gives_slurm_the_jobs_time_limit(slurm, slurm_runner, live_server, owner):
    job = ended(submit(live_server, owner, nodes=2, max_epochs=100_000, time_limit_s=5))

    # Slurm's --time is the job's limit (in whole minutes, no grace here); the harness stops
    # itself at the limit, and the job fails saying so.
    assert job.scheduler["time_limit"] == "00:01:00"
    assert job.status == JobStatus.FAILED
    assert "time limit 5 s" in job.failure_reason, job.failure_reason


def live_server_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
