"""A real smoke job, end to end: the API queues it on the configured broker, a real runner
worker process trains it with the harness and uploads its bundle to a live server, and a real
web worker validates the submission it became.
"""

from __future__ import annotations

import json
import tarfile

import pytest
from rest_framework.authtoken.models import Token

from catalogue import get_catalogue
from runners.models import Job, RunnerHost
from runners.states import JobStatus
from submissions.models import Provenance
from submissions.states import Status
from tests.support.hostile_model_code import HONEST_MODEL, hostile_model_code
from tests.support.workers import api_post, running_workers, wait_for

# The cheapest benchmark the harness runs (Caser on a small Gowalla-like set: seconds on a
# CPU); its smoke profile, cut to two epochs, still does every run the catalogue requires.
SUITE, BENCHMARK, EPOCHS = "aibench-training", "learning-to-rank", 2
JOB_TIMEOUT_S = 300


@pytest.fixture
def workers(settings, live_server, pool, tmp_path):
    """A runner worker process on runner.<pool>, as on a runner host, and a web worker on the
    default queue, both real and on the configured broker."""
    with running_workers(
        settings=settings,
        live_server=live_server,
        pool=pool,
        tmp_path=tmp_path,
        env={"RUNNER_HEARTBEAT_INTERVAL_S": "0.5"},
        pool_args=["-P", "solo"],
    ) as (host, token):
        host.token = token  # for tests that look for it where it must not be
        yield host


def train_samples_logged(submission) -> list[int]:
    with submission.bundle.open("rb") as stream, tarfile.open(fileobj=stream, mode="r:gz") as archive:
        logs = sorted((m for m in archive.getmembers() if m.name.endswith(".log")), key=lambda m: m.name)
        found = []
        for member in logs:
            for line in archive.extractfile(member).read().decode().splitlines():
                if line.startswith(":::MLLOG ") and json.loads(line[9:])["key"] == "train_samples":
                    found.append(json.loads(line[9:])["value"])
        return found


def run_through_the_service(live_server, owner, body: dict) -> tuple[Job, object]:
    """Submit `body` over HTTP, wait for the job to end and its submission to be validated."""
    token, _ = Token.objects.get_or_create(user=owner)
    created = api_post(f"{live_server.url}/api/v1/model-submissions/", body, token.key)
    job = Job.objects.get(pk=created["id"])
    wait_for(lambda: not Job.objects.get(pk=job.pk).is_active, JOB_TIMEOUT_S, "the job")
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED, (job.failure_reason, job.log_tail[-2000:])
    pending = (Status.RECEIVED, Status.VALIDATING)
    wait_for(lambda: Job.objects.get(pk=job.pk).submission.status not in pending, 120, "validation")
    submission = Job.objects.get(pk=job.pk).submission
    errors = list(submission.findings.filter(severity="error").values_list("message", flat=True))
    assert submission.status == Status.AWAITING_REVIEW, errors
    return job, submission


def assert_figures_consistent(job: Job, submission) -> None:
    """Total FLOPs = FLOPs/sample x samples; 0 < time to train <= the job's wall time;
    samples = epochs x the smoke data's train_samples; every required run is there."""
    benchmark = get_catalogue().benchmark(SUITE, BENCHMARK)
    runs = list(submission.runs.all())
    assert len(runs) == benchmark.required_runs
    wall_s = (job.finished_at - job.started_at).total_seconds()
    smoke_train_samples = train_samples_logged(submission)
    assert len(set(smoke_train_samples)) == 1 and smoke_train_samples[0] < benchmark.train_samples
    for run in runs:
        assert run.per_sample_flops == submission.per_sample_training_flops
        assert run.total_flops == pytest.approx(run.per_sample_flops * run.samples_processed)
        assert 0 < run.time_to_train_s <= wall_s
        assert run.epochs_completed == EPOCHS
        assert run.samples_processed == run.epochs_completed * smoke_train_samples[0]


@pytest.mark.worker
@pytest.mark.torch
@pytest.mark.django_db(transaction=True)
def test_it_runs_a_model_submission_through_a_real_worker(workers, live_server, owner, org):
    host = workers
    body = {
        "suite": SUITE,
        "benchmark": BENCHMARK,
        "level": "hardware",
        "organization": org.slug,
        "max_epochs": EPOCHS,
    }

    job, submission = run_through_the_service(live_server, owner, body)

    assert [e.to_status for e in job.events.all()] == ["queued", "running", "finished"]
    assert job.host == host
    assert RunnerHost.objects.get(pk=host.pk).hardware_report is not None
    assert job.progress["state"] == "finished" and job.progress["run"] == job.progress["runs"]
    required = get_catalogue().benchmark(SUITE, BENCHMARK).required_runs
    assert f"run {required}/{required} epoch {EPOCHS}/{EPOCHS}" in job.log_tail
    assert submission.provenance == Provenance.RUNNER_VERIFIED
    assert submission.owner == owner and submission.organization == org
    assert submission.profile == "smoke" and submission.level.slug == "hardware"
    # A smoke result: the runner's count at the smoke input, never the catalogue's full-size one.
    measured = submission.manifest["per_sample_training_flops"]
    assert submission.per_sample_training_flops == measured
    assert measured != get_catalogue().benchmark(SUITE, BENCHMARK).per_sample_training_flops
    assert_figures_consistent(job, submission)


@pytest.mark.worker
@pytest.mark.torch
@pytest.mark.django_db(transaction=True)
def test_it_runs_free_level_model_code_through_the_sandbox(workers, live_server, owner):
    body = {
        "suite": SUITE,
        "benchmark": BENCHMARK,
        "level": "free",
        "model_code": HONEST_MODEL,
        "hyperparameters": {"opt_name": "adamw", "opt_base_learning_rate": 0.01},
        "max_epochs": EPOCHS,
    }

    job, submission = run_through_the_service(live_server, owner, body)

    assert job.model_code == HONEST_MODEL
    assert submission.level.slug == "free" and submission.provenance == Provenance.RUNNER_VERIFIED
    # The runner measured this model's FLOPs: not the catalogue's constant for Caser.
    measured = submission.manifest["per_sample_training_flops"]
    assert submission.per_sample_training_flops == measured
    assert measured != get_catalogue().benchmark(SUITE, BENCHMARK).per_sample_training_flops
    assert_figures_consistent(job, submission)


@pytest.fixture
def no_sandbox(monkeypatch, tmp_path):
    """The runner host started below has no bubblewrap (set before `workers` starts it)."""
    monkeypatch.setenv("BENCHCOUNCIL_BWRAP", str(tmp_path / "bwrap-not-installed"))


@pytest.mark.worker
@pytest.mark.torch
@pytest.mark.django_db(transaction=True)
def test_a_host_without_the_sandbox_refuses_model_code_on_the_job_page(
    no_sandbox, workers, live_server, owner, client
):
    body = {
        "suite": SUITE,
        "benchmark": BENCHMARK,
        "level": "free",
        "model_code": HONEST_MODEL,
        "max_epochs": 1,
    }
    token, _ = Token.objects.get_or_create(user=owner)
    created = api_post(f"{live_server.url}/api/v1/model-submissions/", body, token.key)

    wait_for(lambda: not Job.objects.get(pk=created["id"]).is_active, JOB_TIMEOUT_S, "the job")

    job = Job.objects.get(pk=created["id"])
    assert job.status == JobStatus.FAILED and job.submission is None
    assert "runs only inside the sandbox, and this host has none" in job.failure_reason
    assert "bubblewrap (bwrap) is not installed" in job.failure_reason
    client.force_login(owner)
    assert "runs only inside the sandbox" in client.get(f"/runners/jobs/{job.pk}/").content.decode()


@pytest.mark.worker
@pytest.mark.torch
@pytest.mark.django_db(transaction=True)
def test_hostile_model_code_gets_no_secret_and_no_say_in_the_figures(
    workers, live_server, owner, client, tmp_path
):
    code = hostile_model_code([tmp_path / "work", tmp_path / "runner.log"], [tmp_path / "outside.txt"])
    body = {"suite": SUITE, "benchmark": BENCHMARK, "level": "free", "model_code": code, "max_epochs": EPOCHS}

    job, submission = run_through_the_service(live_server, owner, body)

    report_line = next(line for line in job.log_tail.splitlines() if "HOSTILE-REPORT " in line)
    report = json.loads(report_line.split("HOSTILE-REPORT ", 1)[1])
    assert report["found"] == [] and "connected" not in report["connect"].values()
    assert "written" not in report["writes"].values() and not (tmp_path / "outside.txt").exists()
    # The figures are the trusted side's: its own MLLOG lines, its FLOPs count, its bundle.
    assert submission.provenance == Provenance.RUNNER_VERIFIED
    assert submission.per_sample_training_flops == submission.manifest["per_sample_training_flops"] < 1e9
    assert all(run.achieved_quality < 0.5 for run in submission.runs.all())
    assert_figures_consistent(job, submission)
    client.force_login(owner)
    page = client.get(f"/runners/jobs/{job.pk}/").content.decode()
    with submission.bundle.open("rb") as stream:
        bundle = stream.read()
    for text in (job.log_tail, page, json.dumps(job.progress)):
        assert workers.token not in text and "bcrj_" not in text
    assert workers.token.encode() not in bundle and b"forged" not in bundle
