"""The bundles benchmarks/validation.py measures, written to disk once and reused.

Each is built member by member (a log is generated into a temporary file, then added to the
tar), so building one never holds more than a member's generator state in memory.
"""

from __future__ import annotations

import gzip
import json
import random
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
T0_MS = 1_700_000_000_000
BENCHMARK = ("hpc-ai500", "image-classification")

MANIFEST = {
    "format_version": 1,
    "suite": BENCHMARK[0],
    "benchmark": BENCHMARK[1],
    "level": "system",
    "organization": "Benchmark Lab",
    "availability": "available",
    "profile": "full",
}
SYSTEM = {
    "system_name": "benchmark cluster",
    "number_of_nodes": 8,
    "host_processor_model_name": "AMD EPYC 7763",
    "host_processors_per_node": 2,
    "host_processor_core_count": 64,
    "host_memory_capacity": "1 TB",
    "accelerators_per_node": 8,
    "accelerator_model_name": "NVIDIA A100-SXM4-80GB",
    "accelerator_memory_capacity": "80 GB",
    "accelerator_interconnect": "NVLink",
    "framework": "PyTorch 2.1",
    "operating_system": "Ubuntu 22.04",
}
HYPERPARAMETERS: dict[str, Any] = {
    "global_batch_size": 8192,
    "opt_name": "lars",
    "opt_base_learning_rate": 3.2,
    "opt_momentum": 0.9,
    "opt_weight_decay": 5e-05,
    "opt_learning_rate_warmup_epochs": 5,
    "opt_learning_rate_schedule": "cosine",
    "opt_learning_rate_decay_boundary_epochs": [30, 60, 80],
    "precision": "amp",
}
TRAIN_SAMPLES = 1_281_167


def _event(key: str, value: Any, time_ms: int, kind: str = "POINT_IN_TIME", **metadata: Any) -> str:
    meta = {"file": "/workspace/train.py", "lineno": 412, **metadata}
    body = {"namespace": "", "time_ms": time_ms, "event_type": kind, "key": key, "value": value}
    return ":::MLLOG " + json.dumps({**body, "metadata": meta}) + "\n"


def run_lines(seed: int, total: int, epochs: int = 88) -> Iterator[str]:
    """One converged run of ``total`` MLLOG lines: key events plus per-step tracked stats."""
    rng = random.Random(seed)
    now = T0_MS
    yield _event("submission_benchmark", "resnet", now)
    for key, value in [("seed", seed), ("train_samples", TRAIN_SAMPLES), *HYPERPARAMETERS.items()]:
        yield _event(key, value, now)
    yield _event("run_start", None, now, "INTERVAL_START")
    header, footer = 3 + len(HYPERPARAMETERS) + 1, 1
    steps = (total - header - footer) // epochs - 3
    # Independent runs never take the same time to the millisecond (rules.duplicate_run).
    step_ms = 97 + seed % 7
    for epoch in range(1, epochs + 1):
        yield _event("epoch_start", None, now, "INTERVAL_START", epoch_num=epoch)
        for step in range(steps):
            now += step_ms
            stats = {"loss": round(7 - 6 * epoch / epochs + rng.random() / 10, 6), "lr": 3.2}
            yield _event("tracked_stats", stats, now, step=(epoch - 1) * steps + step)
        yield _event("epoch_stop", None, now, "INTERVAL_END", epoch_num=epoch)
        quality = round(0.78 * (1 - 0.9 ** (epoch / 2)), 5)
        yield _event("eval_accuracy", quality, now, epoch_num=epoch)
    written = header + footer + epochs * (steps + 3)
    for _ in range(total - written):
        now += 1
        yield _event("tracked_stats", {"loss": 1.0, "lr": 0.0}, now, step=0)
    yield _event("run_stop", None, now + 1000, "INTERVAL_END", status="success")


def eval_lines(seed: int, size: int) -> Iterator[str]:
    """A run whose ``size`` bytes are nearly all evaluations: the most the rules must keep."""
    now, written, epoch = T0_MS, 0, 0
    head = [_event("submission_benchmark", "resnet", now), _event("seed", seed, now)]
    head += [_event("train_samples", TRAIN_SAMPLES, now), _event("run_start", None, now, "INTERVAL_START")]
    for line in head:
        written += len(line)
        yield line
    while written < size - 200:
        epoch, now = epoch + 1, now + 10
        line = (
            f':::MLLOG {{"time_ms":{now},"event_type":"POINT_IN_TIME","key":"eval_accuracy",'
            f'"value":0.{epoch % 999_999:06d},"metadata":{{"epoch_num":{epoch}}}}}\n'
        )
        written += len(line)
        yield line
    yield _event("run_stop", None, now + 1000, "INTERVAL_END", status="success")


def huge_line(seed: int, size: int) -> Iterator[str]:
    """One MLLOG line of ``size`` characters, compressible about 100 times."""
    rng = random.Random(seed)
    block = "".join(rng.choice("0123456789abcdef") for _ in range(16_000))
    yield ':::MLLOG {"key": "tracked_stats", "value": "'
    for _ in range(size // len(block)):
        yield block
    yield '"}\n'


def _add_text(tar: tarfile.TarFile, name: str, lines: Iterator[str]) -> None:
    with tempfile.TemporaryFile() as scratch:
        for line in lines:
            scratch.write(line.encode())
        info = tarfile.TarInfo(name)
        info.size, info.mode = scratch.tell(), 0o644
        scratch.seek(0)
        tar.addfile(info, scratch)


def _add_json(tar: tarfile.TarFile, name: str, document: dict[str, Any]) -> None:
    _add_text(tar, name, iter([json.dumps(document, indent=2)]))


def _write(path: Path, runs: range, log: Callable[[int], Iterator[str]]) -> Path:
    """A bundle at ``path`` whose ``logs/run_<n>.log`` for each n in ``runs`` holds ``log(n)``."""
    partial = path.with_suffix(".partial")
    with gzip.open(partial, "wb", compresslevel=6) as raw, tarfile.open(fileobj=raw, mode="w") as tar:
        _add_json(tar, "hyperparameters.json", HYPERPARAMETERS)
        for run in runs:
            _add_text(tar, f"logs/run_{run}.log", log(run))
        _add_json(tar, "manifest.json", MANIFEST)
        _add_json(tar, "system.json", SYSTEM)
    partial.rename(path)
    return path


def large(path: Path, runs: int = 5, lines: int = 200_000) -> Path:
    """The issue's bundle: ``runs`` runs of ``lines`` MLLOG lines each."""
    return _write(path, range(1, runs + 1), lambda run: run_lines(1000 + run, lines))


def huge_lines(path: Path) -> Path:
    """Four logs that are each one 250 MiB MLLOG line."""
    return _write(path, range(1, 5), lambda run: huge_line(run, 250 * MiB))


def many_members(path: Path, members: int = 2000) -> Path:
    """As many members as the limit allows: all but the three documents are small runs."""
    return _write(path, range(1, members - 2), lambda run: run_lines(run, 400, epochs=40))


def full_budget(path: Path) -> Path:
    """The whole uncompressed budget (4 x 250 MiB) in logs of evaluations."""
    return _write(path, range(1, 5), lambda run: eval_lines(run, 250 * MiB))


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "large": large,
    "huge-lines": huge_lines,
    "2000-members": many_members,
    "full-budget": full_budget,
}


def cached(folder: Path, name: str) -> Path:
    """The bundle ``name`` under ``folder``, built the first time it is asked for."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"validation-{name}.tar.gz"
    return path if path.exists() else BUILDERS[name](path)
