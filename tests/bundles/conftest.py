"""Builders for result bundles in memory: valid by default, each part overridable.

Values come from the catalogue, never typed in here, so the tests follow a catalogue
release; a test that needs a hand-computed figure states its own inputs.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pytest

from catalogue import Benchmark, get_catalogue
from submissions.bundles import BundleReport, validate_bundle
from tests.support.archives import tar_gz

T0_MS = 1_700_000_000_000


def mllog(
    key: str, value: Any = None, *, time_ms: float, kind: str = "POINT_IN_TIME", **metadata: Any
) -> str:
    event = {"namespace": "", "time_ms": time_ms, "event_type": kind, "key": key, "value": value}
    return ":::MLLOG " + json.dumps({**event, "metadata": {"file": "train.py", "lineno": 1, **metadata}})


@dataclass
class RunSpec:
    """One run's log; ``qualities[i]`` is the eval after epoch i+1, ``epoch_ms`` apart.

    run_stop comes ``tail_ms`` after the last epoch: runs made by ``Factory.runs`` differ
    there by a few milliseconds, as independent runs do (identical runs are an error).
    """

    seed: int
    qualities: list[float]
    epoch_ms: int = 60_000
    status: str = "success"
    start_ms: int = T0_MS
    train_samples: int | None = None
    samples: list[int] | None = None
    benchmark: str | None = None
    hyperparameters: dict[str, Any] | None = None
    extra_lines: list[str] = field(default_factory=list)
    tail_ms: int = 1000


def log_text(spec: RunSpec, bench: Benchmark) -> str:
    start, train_samples = spec.start_ms, spec.train_samples or bench.train_samples
    hyper = bench.reference_hyperparameters if spec.hyperparameters is None else spec.hyperparameters
    lines = [
        "framework banner: starting",
        mllog("submission_benchmark", spec.benchmark or bench.mllog_benchmark, time_ms=start),
    ]
    lines += [
        mllog(k, v, time_ms=start)
        for k, v in [("seed", spec.seed), ("train_samples", train_samples), *hyper.items()]
    ]
    lines.append(mllog("run_start", time_ms=start, kind="INTERVAL_START"))
    for epoch, quality in enumerate(spec.qualities, start=1):
        now = start + epoch * spec.epoch_ms
        stop_meta: dict[str, Any] = {"epoch_num": epoch}
        if spec.samples is not None:
            stop_meta["samples"] = spec.samples[epoch - 1]
        lines.append(
            mllog("epoch_start", time_ms=now - spec.epoch_ms, kind="INTERVAL_START", epoch_num=epoch)
        )
        lines.append(mllog("epoch_stop", time_ms=now, kind="INTERVAL_END", **stop_meta))
        lines.append(mllog("eval_accuracy", quality, time_ms=now, epoch_num=epoch))
    end = start + len(spec.qualities) * spec.epoch_ms + spec.tail_ms
    lines.append(mllog("run_stop", time_ms=end, kind="INTERVAL_END", status=spec.status))
    return "\n".join(lines + spec.extra_lines) + "\n"


class Factory:
    """Makes manifests, system descriptions, logs and archives for the tests.

    The helpers above are reachable through it (``factory.spec``, ``factory.mllog``) so that
    test modules never import from conftest.
    """

    spec = RunSpec
    mllog = staticmethod(mllog)
    t0_ms = T0_MS

    def short_run(self, *middle: str, stop_ms: int = 10_000, status: str = "success") -> list[str]:
        """A small resnet run's lines: ``middle`` between its first epoch_start and run_stop."""
        head = [
            mllog("submission_benchmark", "resnet", time_ms=0),
            mllog("seed", 1, time_ms=0),
            mllog("global_batch_size", 8, time_ms=0),
            mllog("train_samples", 100, time_ms=0),
            mllog("run_start", time_ms=1000, kind="INTERVAL_START"),
            mllog("epoch_start", time_ms=1000, kind="INTERVAL_START", epoch_num=1),
        ]
        return [*head, *middle, mllog("run_stop", time_ms=stop_ms, kind="INTERVAL_END", status=status)]

    def benchmark(self, suite: str, slug: str) -> Benchmark:
        found = get_catalogue().benchmark(suite, slug)
        assert found is not None
        return found

    def manifest(
        self, suite: str = "aibench-training", benchmark: str = "image-classification", **extra: Any
    ) -> dict[str, Any]:
        base = {
            "format_version": 1,
            "suite": suite,
            "benchmark": benchmark,
            "level": "hardware",
            "organization": "Test Lab",
            "availability": "available",
            "profile": "full",
        }
        return {**base, **extra}

    def system(self, **extra: Any) -> dict[str, Any]:
        base = {
            "system_name": "test node",
            "number_of_nodes": 1,
            "host_processor_model_name": "Intel Xeon Gold 6248",
            "host_processors_per_node": 2,
            "host_processor_core_count": 20,
            "host_memory_capacity": "384 GB",
            "accelerators_per_node": 8,
            "accelerator_model_name": "NVIDIA V100-SXM2-32GB",
            "accelerator_memory_capacity": "32 GB",
            "accelerator_interconnect": "NVLink",
            "framework": "PyTorch 2.1",
            "operating_system": "Ubuntu 22.04",
        }
        return {**base, **extra}

    def runs(self, bench: Benchmark, count: int | None = None, **spec: Any) -> list[RunSpec]:
        """Runs that converge: below target, then at it."""
        below = bench.target_quality * 0.9
        qualities = spec.pop("qualities", [below, bench.target_quality + 0.001])
        return [
            RunSpec(seed=100 + i, qualities=qualities, **{"tail_ms": 1000 + 7 * i, **spec})
            for i in range(count or bench.required_runs)
        ]

    def files(
        self,
        manifest: dict[str, Any] | None = None,
        runs: list[RunSpec] | None = None,
        system: dict[str, Any] | None = None,
        **extra: bytes,
    ) -> dict[str, bytes]:
        manifest = manifest or self.manifest()
        # A manifest naming an unknown benchmark still gets well-formed logs to parse.
        found = get_catalogue().benchmark(str(manifest.get("suite")), str(manifest.get("benchmark")))
        bench = found or self.benchmark("aibench-training", "image-classification")
        specs = self.runs(bench) if runs is None else runs
        files = {
            "manifest.json": json.dumps(manifest).encode(),
            "system.json": json.dumps(system or self.system()).encode(),
        }
        files.update({f"logs/run_{i}.log": log_text(s, bench).encode() for i, s in enumerate(specs, start=1)})
        files.update(extra)
        return files

    def tar(
        self, files: dict[str, bytes], prefix: str = "", members: list[tarfile.TarInfo] | None = None
    ) -> bytes:
        return tar_gz({prefix + name: body for name, body in files.items()}, members)

    def zip(self, files: dict[str, bytes], infos: list[tuple[zipfile.ZipInfo, bytes]] | None = None) -> bytes:
        raw = io.BytesIO()
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, body in files.items():
                archive.writestr(name, body)
            for info, body in infos or []:
                archive.writestr(info, body)
        return raw.getvalue()

    def bundle(self, **kwargs: Any) -> bytes:
        return self.tar(self.files(**kwargs))

    def check(self, data: bytes, filename: str = "bundle.tar.gz", **kwargs: Any) -> BundleReport:
        return validate_bundle(data, filename, **kwargs)

    def codes(self, report: BundleReport, severity: str = "error") -> set[str]:
        return {f.code for f in report.findings if f.severity == severity}


@pytest.fixture(scope="session")
def factory() -> Factory:
    return Factory()
