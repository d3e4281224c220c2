"""`benchcouncil model-submit`: a runner job queued through POST /api/v1/model-submissions/."""

from __future__ import annotations

import json
import uuid

import pytest

from benchcouncil.celery import app
from runners.models import Job

pytestmark = pytest.mark.django_db(transaction=True)

LEARNING_TO_RANK = ("model-submit", "--suite", "aibench-training", "--benchmark", "learning-to-rank")
REQUEST = {"suite": "aibench-training", "benchmark": "learning-to-rank", "level": "hardware"}


@pytest.fixture(autouse=True)
def own_pool(settings):
    """Jobs of these tests go to a queue of their own, emptied afterwards: no runner takes them."""
    settings.RUNNER_DEFAULT_POOL = f"test-{uuid.uuid4().hex[:10]}"
    yield settings.RUNNER_DEFAULT_POOL
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(f"runner.{settings.RUNNER_DEFAULT_POOL}")
        while True:
            try:
                queue.get(timeout=0.5).ack()
            except queue.Empty:
                break
        queue.close()


def test_it_queues_a_job_from_options(cli, owner):
    result = cli(*LEARNING_TO_RANK, "--level", "hardware")
    assert result.code == 0, result.err
    job = Job.objects.get()
    assert result.out.strip() == str(job.pk)
    assert (job.owner, job.status, job.benchmark.slug) == (owner, "queued", "learning-to-rank")


def test_it_reads_a_spec_file_and_prints_json(cli, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({**REQUEST, "profile": "smoke"}))
    result = cli("model-submit", str(spec), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["id"] == str(Job.objects.get().pk)
    assert json.loads(result.out)["profile"] == "smoke"


def test_it_exits_1_with_the_services_reasons_when_the_request_breaks_the_rules(cli):
    result = cli(*LEARNING_TO_RANK, "--level", "nope")
    assert result.code == 1
    assert "The model submission was not queued." in result.err and "level:" in result.err
    assert not Job.objects.exists()


def test_it_exits_4_when_no_runner_takes_the_job_in_time(cli):
    result = cli(*LEARNING_TO_RANK, "--level", "hardware", "--wait", "--timeout", "0.5", "--interval", "0.1")
    assert result.code == 4
    assert "job" in result.err and "queued" in result.err
    assert Job.objects.get().status == "queued"


def test_it_exits_2_when_the_spec_file_has_unknown_keys(cli, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({**REQUEST, "gpus": 8}))
    result = cli("model-submit", str(spec))
    assert result.code == 2
    assert "unknown keys gpus" in result.err


def test_it_asks_for_a_scale_within_what_the_pool_offers(cli, own_pool):
    from runners.models import RunnerHost

    RunnerHost.objects.create(
        name="login-1",
        pool=own_pool,
        token_hash="x" * 64,
        hardware_report={"gpu_count": 0, "slurm": {"max_nodes": 4, "accelerators_per_node": 8}},
    )
    args = (*LEARNING_TO_RANK, "--level", "hardware")

    result = cli(*args, "--nodes", "4", "--accelerators-per-node", "2", "--json")
    too_many = cli(*args, "--nodes", "5")

    assert result.code == 0, result.err
    job = Job.objects.get()
    assert (job.config["nodes"], job.config["accelerators_per_node"]) == (4, 2)
    assert too_many.code == 1
    assert (
        f"nodes: 5 asked for; pool {own_pool} offers at most 4 nodes with 8 accelerators each" in too_many.err
    )


def test_the_smoke_profile_alone_queues_the_default_smoke_job(cli, owner):
    result = cli("model-submit", "--profile", "smoke")
    assert result.code == 0, result.err
    assert result.err.startswith("using --suite aibench-training --benchmark learning-to-rank ")
    job = Job.objects.get()
    assert (job.suite.slug, job.benchmark.slug, job.level.slug, job.profile) == (
        "aibench-training",
        "learning-to-rank",
        "hardware",
        "smoke",
    )


def test_it_queues_the_job_the_environment_names(cli, monkeypatch):
    for key, value in REQUEST.items():
        monkeypatch.setenv(f"BENCHCOUNCIL_{key.upper()}", value)
    result = cli("model-submit", "--level", "system", "--json")
    assert result.code == 0, result.err
    job = Job.objects.get()
    assert (job.benchmark.slug, job.level.slug) == ("learning-to-rank", "system")
    assert "default for --profile smoke" not in result.err
