"""Bundles a runner's harness would write for a job: its seeds, its values and its model.

Built from the job's own configuration with the service's rules (runners.level_rules), so a test
that changes one field of the manifest gets a bundle that differs from its job in that field.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from typing import Any

from catalogue import get_catalogue
from runners.level_rules import expected_model, resolve_hyperparameters, run_seeds
from runners.models import Job
from runners.provenance import MODEL_CODE_DIGEST, model_code_digest
from submissions.bundles.pack import pack_files


def _mllog(key: str, value: Any, time_ms: int, kind: str = "POINT_IN_TIME", **metadata: Any) -> str:
    event = {"namespace": "", "time_ms": time_ms, "event_type": kind, "key": key, "value": value}
    return ":::MLLOG " + json.dumps({**event, "metadata": {"file": "trainer.py", "lineno": 1, **metadata}})


def job_bundle_files(job: Job, seeds: list[int] | None = None, **manifest_changes: Any) -> dict[str, bytes]:
    """The files a runner's harness would write for `job`: its seeds, values and model."""
    benchmark = get_catalogue().benchmark(job.suite.slug, job.benchmark.slug)
    assert benchmark is not None
    hp = resolve_hyperparameters(benchmark, dict(job.config.get("hyperparameters") or {}))
    manifest: dict[str, Any] = {
        "format_version": 1, "suite": job.suite.slug, "benchmark": job.benchmark.slug,
        "level": job.level.slug, "organization": job.config.get("organization", ""),
        "availability": job.config.get("availability", "available"),
        "profile": job.profile, "per_sample_training_flops": benchmark.per_sample_training_flops,
        "model": expected_model(job.config, benchmark),
    }  # fmt: skip
    if job.model_code:
        manifest["model"] = "model code model.py"
        manifest[MODEL_CODE_DIGEST] = model_code_digest(job.model_code)
    manifest.update(manifest_changes)
    system = {
        "system_name": "runner", "number_of_nodes": 1, "host_processor_model_name": "CPU",
        "host_processors_per_node": 1, "host_processor_core_count": 2, "host_memory_capacity": "8 GB",
        "accelerators_per_node": 0, "accelerator_model_name": "none", "accelerator_memory_capacity": "0 GB",
        "accelerator_interconnect": "none", "framework": "PyTorch", "operating_system": "Linux",
    }  # fmt: skip
    files = {
        "manifest.json": json.dumps(manifest).encode(),
        "system.json": json.dumps(system).encode(),
        "hyperparameters.json": json.dumps(hp).encode(),
    }
    for index, seed in enumerate(run_seeds(job.config, benchmark) if seeds is None else seeds, start=1):
        t0 = 1_700_000_000_000 + index * 600_000
        # Independent runs never agree to the millisecond (rules.duplicate_run).
        jitter = index * 7
        lines = [_mllog("submission_benchmark", benchmark.mllog_benchmark, t0), _mllog("seed", seed, t0)]
        lines += [_mllog("train_samples", 512, t0), *(_mllog(k, v, t0) for k, v in sorted(hp.items()))]
        lines += [
            _mllog("run_start", None, t0, "INTERVAL_START"),
            _mllog("epoch_start", None, t0, "INTERVAL_START", epoch_num=1),
            _mllog("epoch_stop", None, t0 + 60_000 + jitter, "INTERVAL_END", epoch_num=1, samples=512),
            _mllog("eval_accuracy", benchmark.target_quality + 0.01, t0 + 61_000 + jitter, epoch_num=1),
            _mllog("run_stop", None, t0 + 62_000 + jitter, "INTERVAL_END", status="success"),
        ]
        files[f"logs/run_{index}.log"] = ("\n".join(lines) + "\n").encode()
    return files


def job_bundle(job: Job, seeds: list[int] | None = None, **manifest_changes: Any) -> io.BytesIO:
    """A bundle that matches `job`, as an upload; other seeds or manifest_changes make it not match."""
    files = job_bundle_files(job, seeds, **manifest_changes)
    stream = io.BytesIO(pack_files({f"job/{k}": v for k, v in files.items()}))
    stream.name = "bundle.tar.gz"
    return stream


def job_bundle_like(job: Job, data: bytes) -> io.BytesIO:
    """Another bundle's logs and figures, relabelled as `job`'s output (its seeds, values, model).

    For tests that need a runner's upload with known figures, e.g. an example bundle's.
    """
    benchmark = get_catalogue().benchmark(job.suite.slug, job.benchmark.slug)
    assert benchmark is not None
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        files = {m.name: tar.extractfile(m).read() for m in members}  # type: ignore[union-attr]
    if "manifest.json" not in files:  # packed under a folder: names below it
        files = {name.split("/", 1)[-1]: content for name, content in files.items()}
    wanted = job_bundle_files(job)
    original = json.loads(files["manifest.json"])
    manifest = {**original, **json.loads(wanted["manifest.json"])}
    manifest.pop("per_sample_training_flops")  # the original's figure, or the catalogue's when it has none
    manifest.update({k: v for k, v in original.items() if k == "per_sample_training_flops"})
    files["manifest.json"] = json.dumps(manifest).encode()
    files["hyperparameters.json"] = wanted["hyperparameters.json"]
    logs = sorted(name for name in files if name.startswith("logs/"))
    for name, seed in zip(logs, run_seeds(job.config, benchmark), strict=True):
        files[name] = re.sub(rb'("key": "seed", "value": )-?\d+', rb"\g<1>%d" % seed, files[name])
    stream = io.BytesIO(pack_files({f"job/{k}": v for k, v in files.items()}))
    stream.name = "bundle.tar.gz"
    return stream
