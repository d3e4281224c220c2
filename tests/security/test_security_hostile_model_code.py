"""Hostile free-level model code on a runner: every attack fails, and the figures are ours.

The model code (hostile_model_code.py) hunts the runner's secrets, calls the services on
127.0.0.1, writes outside its scratch directory, prints a forged archive line and forged MLLOG
lines, and patches the clock and torch's FLOPs counter. Afterwards the bundle holds what the
trusted side measured, and the secrets are nowhere: not in the bundle, the logs, the log tail
or the job's page.
"""

from __future__ import annotations

import json
import logging
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from django.test import TestCase

from catalogue import get_catalogue
from runners.harness import run_job, validate_config
from runners.harness.meter import count_flops
from runners.harness.networks import load_model_code
from runners.harness.registry import WORKLOADS
from runners.harness.supervisor import model_call_of
from runners.harness.workloads import Context, build_workload
from runners.job_request import check_job_request
from runners.services import job_create, job_record_progress, job_transition
from runners.states import JobStatus
from runners.tokens import new_secret
from tests.support.hostile_model_code import HONEST_MODEL, hostile_model_code

pytestmark = [pytest.mark.torch, pytest.mark.django_db]

SUITE, BENCHMARK = "aibench-training", "learning-to-rank"
HOST_TOKEN, JOB_SECRET = new_secret("bcrh"), new_secret("bcrj")


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the hostile job once, as a runner host would, with its secrets about."""
    tmp = tmp_path_factory.mktemp("hostile")
    runner_dir = tmp / "runner"
    runner_dir.mkdir()
    (runner_dir / "host.token").write_text(HOST_TOKEN)
    out = tmp / "out"
    code = tmp / "model.py"
    code.write_text(hostile_model_code([runner_dir / "host.token", runner_dir], [tmp / "outside.txt", out]))
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("RUNNER_HOST_TOKEN", HOST_TOKEN)
    monkeypatch.setenv("RUNNER_JOB_SECRET", JOB_SECRET)
    monkeypatch.setenv("CELERY_BROKER_URL", f"amqp://guest:{JOB_SECRET}@127.0.0.1:5672//")
    raw = {
        "suite": SUITE, "benchmark": BENCHMARK, "level": "free", "profile": "smoke", "device": "cpu",
        "runs": 1, "max_epochs": 2, "model_code": str(code),
        "hyperparameters": {"opt_name": "adamw", "opt_base_learning_rate": 0.01},
    }  # fmt: skip
    config, errors = validate_config(raw, get_catalogue())
    assert config is not None, errors
    tail: list[str] = []
    handler = _ListHandler(tail)
    harness_logger = logging.getLogger("runners.harness")  # what a runner's log tail records
    harness_logger.addHandler(handler)
    harness_logger.setLevel(logging.INFO)
    events: list[dict[str, Any]] = []
    before_ms = time.time() * 1000
    try:
        archive = run_job(config, out, on_progress=events.append)
    finally:
        harness_logger.removeHandler(handler)
        monkeypatch.undo()
    after_ms = time.time() * 1000
    report_lines = [line for line in tail if "HOSTILE-REPORT " in line]
    assert len(report_lines) == 1, tail[-40:]
    return {
        "tmp": tmp, "out": out, "archive": archive, "tail": tail, "events": events,
        "report": json.loads(report_lines[0].split("HOSTILE-REPORT ", 1)[1]),
        "span_ms": (before_ms, after_ms), "files": _bundle_files(archive),
    }  # fmt: skip


class _ListHandler(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.INFO)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _bundle_files(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def _mllog(text: bytes) -> list[dict[str, Any]]:
    lines = text.decode().splitlines()
    assert all(line.startswith(":::MLLOG ") for line in lines)
    return [json.loads(line.removeprefix(":::MLLOG ")) for line in lines]


def test_it_finds_no_secret_anywhere_it_looks(attack):
    report = attack["report"]
    assert report["files_read"] > 0  # it did look
    assert report["found"] == []
    # Only the sandbox's own processes are visible, none of the runner's.
    assert report["processes"]
    assert all(
        "runners.harness.sandboxed_train" in cmdline or "bwrap" in cmdline for cmdline in report["processes"]
    )


def test_it_reaches_no_service_on_the_loopback(attack):
    assert set(attack["report"]["connect"]) == {"5432", "6379", "5672"}
    assert "connected" not in attack["report"]["connect"].values()


def test_it_writes_nothing_outside_its_scratch_directory(attack):
    writes = attack["report"]["writes"]
    assert writes and "written" not in writes.values()
    assert not (attack["tmp"] / "outside.txt").exists()
    assert not list(attack["out"].rglob("forged*"))


def test_its_forged_archive_line_is_ignored(attack):
    archive = attack["archive"]
    assert archive.parent == attack["out"] and archive.name.startswith(f"{SUITE}_{BENCHMARK}_free_smoke_")
    assert sorted(attack["files"]) == [
        "hyperparameters.json",
        "logs/run_1.log",
        "manifest.json",
        "system.json",
    ]
    # Its lines are log text, shown as the sandbox's output, never taken as the bundle's.
    assert any(line.endswith(":::ARCHIVE /scratch/forged.tar.gz") for line in attack["tail"])


def test_the_mllog_log_is_the_trusted_sides_own(attack):
    events = _mllog(attack["files"]["logs/run_1.log"])
    assert {e["metadata"]["file"] for e in events} == {"runners/harness/trainer.py"}
    qualities = [e["value"] for e in events if e["key"] == "eval_accuracy"]
    measured = [e["quality"] for e in attack["events"] if e["state"] == "running"]
    assert qualities == measured and 0.999 not in qualities and len(qualities) == 2
    # The clock is this process's: its run fits inside the test's own view of the time.
    start = next(e["time_ms"] for e in events if e["key"] == "run_start")
    stop = next(e["time_ms"] for e in events if e["key"] == "run_stop")
    low, high = attack["span_ms"]
    assert low <= start < stop <= high
    assert attack["events"][-1]["state"] == "finished" and attack["events"][-1]["quality"] == qualities[-1]


def test_the_flops_are_counted_by_the_trusted_side(attack):
    manifest = json.loads(attack["files"]["manifest.json"])
    benchmark = get_catalogue().benchmark(SUITE, BENCHMARK)
    assert benchmark is not None
    context = Context(benchmark, WORKLOADS[benchmark.key], "smoke", "caser", None, None)
    workload = build_workload(context)
    honest = attack["tmp"] / "honest.py"  # the same model without the attacks
    honest.write_text(HONEST_MODEL)
    model = torch.jit.script(load_model_code(honest)(**workload.model_kwargs))
    expected = count_flops(model, model_call_of(workload.train_loss, workload.flops_batch())) / 2
    assert manifest["per_sample_training_flops"] == expected
    assert manifest["per_sample_training_flops"] < 1e9  # not the patched counter's 1e18


def test_the_secrets_are_nowhere(attack, owner, client):
    outputs = {
        "bundle": b"".join(attack["files"].values()).decode(),
        "log tail": "\n".join(attack["tail"]),
        "progress": json.dumps(attack["events"]),
        "job page": _job_page(client, owner, "\n".join(attack["tail"])),
    }
    for where, text in outputs.items():
        for secret in (HOST_TOKEN, JOB_SECRET):
            assert secret not in text, where
    assert "HOSTILE-REPORT" in outputs["job page"]  # the tail was shown, without a secret in it


def _job_page(client, owner, tail: str) -> str:
    spec, errors = check_job_request(
        {"suite": SUITE, "benchmark": BENCHMARK, "level": "free"}, get_catalogue()
    )
    assert spec is not None, errors
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = job_create(owner=owner, spec=spec)
    job_transition(job=job, to=JobStatus.RUNNING, actor=None, reason="Started by the test host.")
    job_record_progress(job=job, progress={"run": 1}, log_tail=tail)
    client.force_login(owner)
    return client.get(f"/runners/jobs/{job.pk}/").content.decode()


def test_the_bundle_bytes_hold_no_forged_figure(attack):
    assert b"forged" not in attack["archive"].read_bytes()
    assert b"0.999" not in b"".join(attack["files"].values())
