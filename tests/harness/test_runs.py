"""Real smoke jobs, end to end: training, MLLOG, bundle."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from catalogue import Catalogue
from runners.harness import run_job, validate_config
from runners.harness.config import JobConfig
from submissions.bundles import validate_bundle
from tests.support.mllog import read_mllog

pytestmark = pytest.mark.torch

PROGRESS_KEYS = {"state", "run", "runs", "epoch", "max_epochs", "quality", "target", "eta_s"}


def _config(catalogue: Catalogue, **raw: Any) -> JobConfig:
    config, errors = validate_config(
        {"level": "hardware", "profile": "smoke", "device": "cpu", **raw}, catalogue
    )
    assert errors == [] and config is not None
    return config


def _bundle(archive: Path) -> Path:
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    top = archive.name.removesuffix(".tar.gz")
    assert names[0] == top and f"{top}/manifest.json" in names
    return archive.parent / top


def _check_log(path: Path, benchmark: str) -> dict[str, Any]:
    """The contract's keys, in order in time, with samples adding up; returns the figures."""
    events = read_mllog(path)
    keys = [e["key"] for e in events]
    for key in (
        "submission_benchmark",
        "seed",
        "global_batch_size",
        "train_samples",
        "run_start",
        "run_stop",
    ):
        assert key in keys, key
    times = [e["time_ms"] for e in events]
    assert times == sorted(times)
    assert keys.index("run_start") < keys.index("epoch_start") and keys[-1] == "run_stop"
    point = {e["key"]: e["value"] for e in events if e["event_type"] == "POINT_IN_TIME"}
    assert point["submission_benchmark"] == benchmark
    stops = [e for e in events if e["key"] == "epoch_stop"]
    evals = [e for e in events if e["key"] == "eval_accuracy"]
    assert [e["metadata"]["epoch_num"] for e in stops] == list(range(1, len(stops) + 1))
    assert [e["metadata"]["epoch_num"] for e in evals] == list(range(1, len(evals) + 1))
    return {
        "seed": point["seed"],
        "samples": sum(e["metadata"]["samples"] for e in stops),
        "epochs": len(stops),
        "quality": evals[-1]["value"] if evals else None,
        "status": events[-1]["metadata"]["status"],
        "train_samples": point["train_samples"],
    }


def test_it_runs_every_required_run_of_learning_to_rank(catalogue: Catalogue, tmp_path: Path) -> None:
    events: list[dict[str, Any]] = []
    config = _config(catalogue, suite="aibench-training", benchmark="learning-to-rank")
    archive = run_job(config, tmp_path, on_progress=events.append)
    bundle = _bundle(archive)
    runs = [_check_log(bundle / "logs" / f"run_{n}.log", "learning_to_rank") for n in (1, 2, 3)]
    benchmark = catalogue.benchmark("aibench-training", "learning-to-rank")
    assert len({r["seed"] for r in runs}) == 3
    for run in runs:
        assert run["status"] == "success" and run["quality"] >= benchmark.target_quality
        assert run["samples"] == run["epochs"] * run["train_samples"]  # whole epochs, every sample once
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["profile"] == "smoke" and manifest["per_sample_training_flops"] > 0
    assert json.loads((bundle / "hyperparameters.json").read_text()) == benchmark.reference_hyperparameters
    assert all(set(e) == PROGRESS_KEYS for e in events)
    assert events[-1]["state"] == "finished" and events[-1]["run"] == 3
    report = validate_bundle(archive.read_bytes(), archive.name)
    assert report.valid, [f for f in report.findings]


def test_it_measures_caser_flops_as_the_flop_counter_does(catalogue: Catalogue, tmp_path: Path) -> None:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from runners.harness.networks import Caser

    config = _config(catalogue, suite="aibench-training", benchmark="learning-to-rank", runs=1, max_epochs=1)
    manifest = json.loads((_bundle(run_job(config, tmp_path)) / "manifest.json").read_text())
    model = Caser(600, 200)
    with FlopCounterMode(display=False) as counter:
        scores = model(
            torch.ones(2, 5, dtype=torch.int64), torch.tensor([0, 1]), torch.ones(2, 6, dtype=torch.int64)
        )
        scores.sum().backward()
    assert manifest["per_sample_training_flops"] == counter.get_total_flops() / 2


def test_it_trains_resnet50_to_the_target(catalogue: Catalogue, tmp_path: Path) -> None:
    config = _config(catalogue, suite="hpc-ai500", benchmark="image-classification", runs=1, max_epochs=2)
    bundle = _bundle(run_job(config, tmp_path))
    run = _check_log(bundle / "logs" / "run_1.log", "resnet")
    assert run["status"] == "success" and run["quality"] >= 0.763
    flops = json.loads((bundle / "manifest.json").read_text())["per_sample_training_flops"]
    assert flops == pytest.approx(1.889e8, rel=0.01)  # FlopCounterMode, resnet50 at 3x16x16
    assert (bundle.parent / (bundle.name + ".tar.gz")).stat().st_size > 0


@pytest.mark.parametrize(
    ("suite", "benchmark", "mllog_name"),
    [
        ("hpc-ai500", "extreme-weather", "extreme_weather"),
        ("aibench-training", "object-detection", "object_detection"),
    ],
)
def test_it_runs_faster_rcnn_an_epoch(
    catalogue: Catalogue, tmp_path: Path, suite: str, benchmark: str, mllog_name: str
) -> None:
    config = _config(catalogue, suite=suite, benchmark=benchmark, runs=1, max_epochs=1)
    bundle = _bundle(run_job(config, tmp_path))
    run = _check_log(bundle / "logs" / "run_1.log", mllog_name)
    assert run["samples"] == 64 and 0.0 <= run["quality"] <= 1.0
    assert json.loads((bundle / "manifest.json").read_text())["model"] == "fasterrcnn_resnet50_fpn"


def test_it_stops_when_asked_and_keeps_the_runs_done(catalogue: Catalogue, tmp_path: Path) -> None:
    events: list[dict[str, Any]] = []
    config = _config(catalogue, suite="aibench-training", benchmark="learning-to-rank")
    archive = run_job(config, tmp_path, on_progress=events.append, should_stop=lambda: bool(events))
    bundle = _bundle(archive)
    assert sorted(p.name for p in (bundle / "logs").iterdir()) == ["run_1.log"]
    run = _check_log(bundle / "logs" / "run_1.log", "learning_to_rank")
    assert run["status"] == "aborted" and run["epochs"] == 2  # stopped at the first step of epoch 2
    assert events[-1]["state"] == "cancelled"


def test_it_stops_at_the_time_limit(catalogue: Catalogue, tmp_path: Path) -> None:
    events: list[dict[str, Any]] = []
    config = _config(catalogue, suite="aibench-training", benchmark="learning-to-rank", time_limit_s=0.001)
    bundle = _bundle(run_job(config, tmp_path, on_progress=events.append))
    run = _check_log(bundle / "logs" / "run_1.log", "learning_to_rank")
    assert run["status"] == "aborted" and run["samples"] == 0
    assert events[-1]["state"] == "timed_out"
