"""Bundles and uploads for the intake tests, made in the test from plain files with tarfile and zipfile.

`bundle_files()` is a valid AIBench Training image-classification result at system level
(three converged runs); a test changes or adds files to make exactly the fault it checks.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

MANIFEST = {
    "format_version": 1,
    "suite": "aibench-training",
    "benchmark": "image-classification",
    "level": "system",
    "organization": "Example HPC Centre",
    "availability": "available",
    "profile": "full",
    "model": "ResNet-50",
}
SYSTEM = {
    "system_name": "Example cluster (2x8 H100)",
    "number_of_nodes": 2,
    "host_processor_model_name": "AMD EPYC 9654",
    "host_processors_per_node": 2,
    "host_processor_core_count": 96,
    "host_memory_capacity": "1.5 TB",
    "accelerators_per_node": 8,
    "accelerator_model_name": "NVIDIA H100-SXM5-80GB",
    "accelerator_memory_capacity": "80 GB",
    "accelerator_interconnect": "NVLink",
    "framework": "PyTorch 2.4",
    "operating_system": "Ubuntu 22.04",
}
START_MS = 1_700_000_000_000
TRAIN_SAMPLES = 1_281_167
QUALITIES = (0.52, 0.71, 0.752)


def _event(key: str, value: Any, time_ms: int, event_type: str = "POINT_IN_TIME", **metadata: Any) -> str:
    raw = {
        "namespace": "",
        "time_ms": time_ms,
        "event_type": event_type,
        "key": key,
        "value": value,
        "metadata": metadata,
    }
    return ":::MLLOG " + json.dumps(raw)


def training_log(seed: int, qualities: tuple[float, ...] = QUALITIES) -> bytes:
    """One MLPerf-style run log: an epoch is 600 s, evaluated after each epoch."""
    t = START_MS
    lines = [
        "framework banner: not an MLLOG line, ignored",
        _event("submission_benchmark", "resnet", t),
        _event("seed", seed, t),
        _event("global_batch_size", 1024, t),
        _event("train_samples", TRAIN_SAMPLES, t),
        _event("opt_base_learning_rate", 0.4, t),
        _event("run_start", None, t, "INTERVAL_START"),
    ]
    for epoch, quality in enumerate(qualities, start=1):
        lines.append(_event("epoch_start", None, t, "INTERVAL_START", epoch_num=epoch))
        t += 600_000
        lines.append(_event("epoch_stop", None, t, "INTERVAL_END", epoch_num=epoch))
        lines.append(_event("eval_accuracy", quality, t, epoch_num=epoch))
    # Independent runs end a few milliseconds apart; identical runs are an error (rules.duplicate_run).
    lines.append(_event("run_stop", None, t + 1000 + (seed - 1) % 1000, "INTERVAL_END", status="success"))
    return ("\n".join(lines) + "\n").encode()


def bundle_files(runs: int = 3) -> dict[str, bytes]:
    files = {
        "manifest.json": json.dumps(MANIFEST, indent=2).encode(),
        "system.json": json.dumps(SYSTEM, indent=2).encode(),
    }
    for index in range(1, runs + 1):
        files[f"logs/run_{index}.log"] = training_log(seed=1000 + index)
    return files


def upload(
    client: APIClient,
    data: bytes,
    name: str = "bundle.tar.gz",
    *,
    organization: str | None = None,
    key: str | None = None,
):
    body: dict[str, Any] = {"bundle": _named(data, name)}
    if organization is not None:
        body["organization"] = organization
    headers = {"Idempotency-Key": key} if key else {}
    # The test's transaction never commits: run the on_commit work (validation) explicitly.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("api-submission-list"), body, format="multipart", headers=headers)


def _named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def stored_bundles(settings) -> list[Path]:
    """The bundle objects in the local file storage of the test settings."""
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"], "bundles")
    return sorted(p for p in root.rglob("*") if p.is_file())
