"""Make the example result bundles in this folder (see README.md for what each shows).

    .venv/bin/python examples/make_examples.py

The logs are written through mlperf-logging's own MLLogger, as a training script would
write them, with simulated clocks and accuracy curves shaped like real ResNet-50 and
Faster R-CNN training. Same seeds in, same bytes out: the archives are reproducible.
"""

from __future__ import annotations

import json
import logging
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlperf_logging.mllog import constants as mlc
from mlperf_logging.mllog.mllog import MLLogger

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a script from anywhere in the checkout

from catalogue import Benchmark, get_catalogue  # noqa: E402
from submissions.bundles import validate_bundle  # noqa: E402
from submissions.bundles.pack import pack_files  # noqa: E402

T0_MS = 1_763_100_000_000  # 2025-11-14, when the simulated runs start


@dataclass
class Plan:
    """One simulated training run."""

    seed: int
    max_epochs: int
    epoch_s: float
    curve: Callable[[int], float]
    eval_every: int = 1
    hyperparameters: dict[str, Any] = field(default_factory=dict)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _logger(seed: int) -> tuple[MLLogger, _Lines]:
    handler = _Lines()
    base = logging.getLogger(f"examples.run{seed}")
    base.handlers = [handler]
    base.propagate = False
    base.setLevel(logging.INFO)
    return MLLogger(logger=base, root_dir=str(HERE)), handler


def write_log(plan: Plan, benchmark: Benchmark, start_ms: int) -> str:
    """A run's log: MLLOG events plus the chatter a framework prints around them."""
    log, out = _logger(plan.seed)
    noise = random.Random(plan.seed)
    clock = start_ms
    log.event(mlc.SUBMISSION_BENCHMARK, benchmark.mllog_benchmark, time_ms=clock)
    log.event(mlc.SUBMISSION_ORG, "Example HPC Centre", time_ms=clock)
    log.start(mlc.INIT_START, time_ms=clock)
    for key, value in [("seed", plan.seed), *plan.hyperparameters.items()]:
        log.event(key, value, time_ms=clock)
    log.event(mlc.TRAIN_SAMPLES, benchmark.train_samples, time_ms=clock)
    log.event(mlc.EVAL_SAMPLES, benchmark.eval_samples, time_ms=clock)
    clock += noise.randint(95_000, 105_000)  # model build, data loader warm-up
    log.end(mlc.INIT_STOP, time_ms=clock)
    run_start = clock
    log.start(mlc.RUN_START, time_ms=clock)
    reached = False
    for epoch in range(1, plan.max_epochs + 1):
        log.start(mlc.EPOCH_START, metadata={mlc.EPOCH_NUM: epoch}, time_ms=clock)
        clock += round(plan.epoch_s * 1000 * noise.uniform(0.985, 1.02))
        throughput = benchmark.train_samples / plan.epoch_s
        loss = 6.9 * math.exp(-epoch / (plan.max_epochs / 4)) + 0.9 + noise.uniform(-0.02, 0.02)
        out.lines.append(
            f"Epoch [{epoch}/{plan.max_epochs}] loss {loss:.4f} throughput {throughput:,.0f} samples/s"
        )
        log.end(mlc.EPOCH_STOP, metadata={mlc.EPOCH_NUM: epoch}, time_ms=clock)
        if epoch % plan.eval_every and epoch != plan.max_epochs:
            continue
        quality = round(plan.curve(epoch) + noise.gauss(0, 0.0015), 4)
        log.start(mlc.EVAL_START, metadata={mlc.EPOCH_NUM: epoch}, time_ms=clock)
        clock += round(benchmark.eval_samples / throughput * 1000 * 1.5)
        log.event(mlc.EVAL_ACCURACY, quality, metadata={mlc.EPOCH_NUM: epoch}, time_ms=clock)
        log.end(mlc.EVAL_STOP, metadata={mlc.EPOCH_NUM: epoch}, time_ms=clock)
        if quality >= benchmark.target_quality:
            reached = True
            break
    status = mlc.SUCCESS if reached else mlc.ABORTED
    log.end(mlc.RUN_STOP, metadata={mlc.STATUS: status}, time_ms=clock + 500)
    out.lines.append(f"Training finished in {(clock - run_start) / 60000:.1f} min, status {status}")
    return "\n".join(out.lines) + "\n"


def rising(plateau: float, start: float, tau: float) -> Callable[[int], float]:
    """Accuracy that climbs from ``start`` towards ``plateau`` (cosine or poly schedules)."""
    return lambda epoch: plateau - (plateau - start) * math.exp(-epoch / tau)


def stepped(phases: list[tuple[int, float, float, float]]) -> Callable[[int], float]:
    """Accuracy under a step schedule: each (first_epoch, plateau, gap, tau) is a new jump."""

    def curve(epoch: int) -> float:
        first, plateau, gap, tau = max(p for p in phases if p[0] <= epoch)
        return plateau - gap * math.exp(-(epoch - first) / tau)

    return curve


TRAIN_SH = """#!/bin/sh
# 8 nodes x 8 A100, one process per GPU.
mpirun -np 64 --map-by ppr:8:node --tag-output \\
  python train_imagenet.py --batch-size 128 --lr 3.2 --warmup-epochs 5 --lr-schedule cosine \\
  --epochs 56 --amp --seed "$SEED" --data /lustre/imagenet
"""

RESNET_STEPS = [
    (0, 0.585, 0.53, 7.0),
    (30, 0.705, 0.1, 3.0),
    (60, 0.758, 0.045, 2.5),
    (80, 0.7625, 0.004, 2.0),
]


def system(name: str, nodes: int, gpus: int, gpu: str, memory: str, **extra: Any) -> dict[str, Any]:
    return {
        "submitter": "Example HPC Centre",
        "system_name": name,
        "number_of_nodes": nodes,
        "host_processor_model_name": "AMD EPYC 7742",
        "host_processors_per_node": 2,
        "host_processor_core_count": 64,
        "host_memory_capacity": "1 TB",
        "accelerators_per_node": gpus,
        "accelerator_model_name": gpu,
        "accelerator_memory_capacity": memory,
        "accelerator_interconnect": "NVLink",
        "host_networking": "4x HDR InfiniBand 200 Gb/s",
        **extra,
    }


def bundle(manifest: dict[str, Any], system_json: dict[str, Any], logs: list[str], **extra: bytes) -> bytes:
    files = {
        "manifest.json": _json(manifest),
        "system.json": _json(system_json),
        **{f"logs/run_{i}.log": text.encode() for i, text in enumerate(logs, start=1)},
        **extra,
    }
    return pack_files(files)


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2) + "\n").encode()


def _benchmark(suite: str, slug: str) -> Benchmark:
    bench = get_catalogue().benchmark(suite, slug)
    assert bench is not None, f"{suite}/{slug} is not in the catalogue"
    return bench


def hpc_image_classification() -> bytes:
    bench = _benchmark("hpc-ai500", "image-classification")
    hyper = {
        "global_batch_size": 8192,
        "opt_name": "sgd",
        "opt_base_learning_rate": 3.2,
        "opt_momentum": 0.9,
        "opt_weight_decay": 5e-5,
        "opt_learning_rate_warmup_epochs": 5,
        "opt_learning_rate_schedule": "cosine",
        "precision": "amp_fp16",
    }
    plateaus = [0.7795, 0.7782, 0.7801, 0.7611, 0.7790]  # run 4 levels off below the target
    plans = [Plan(1001 + i, 56, 8.3, rising(p, 0.02, 12.0), 2, hyper) for i, p in enumerate(plateaus)]
    logs = [write_log(plan, bench, T0_MS + i * 3_600_000) for i, plan in enumerate(plans)]
    manifest = _manifest(bench, "system", model="ResNet-50 v1.5")
    sys_json = system("Example A100 cluster", 8, 8, "NVIDIA A100-SXM4-80GB", "80 GB", framework="MXNet 23.09")
    sys_json["operating_system"] = "Ubuntu 22.04"
    extra = {
        "hyperparameters.json": _json(
            {"opt_end_learning_rate": 0.0, "label_smoothing": 0.1, "model_bn_span": 64}
        ),
        "code/train.sh": TRAIN_SH.encode(),
    }
    return bundle(manifest, sys_json, logs, **extra)


def hpc_extreme_weather() -> bytes:
    bench = _benchmark("hpc-ai500", "extreme-weather")
    hyper = {
        "global_batch_size": 128,
        "opt_name": "adamw",
        "opt_base_learning_rate": 4e-4,
        "opt_weight_decay": 0.05,
        "opt_learning_rate_warmup_epochs": 2,
        "opt_learning_rate_schedule": "cosine",
        "precision": "amp_bf16",
    }
    plans = [
        Plan(7 + i, bench.epochs or 50, 17.5, rising(0.372 - 0.002 * i, 0.02, 8.0), 1, hyper)
        for i in range(5)
    ]
    logs = [write_log(plan, bench, T0_MS + i * 7_200_000) for i, plan in enumerate(plans)]
    manifest = _manifest(
        bench,
        "free",
        model="Faster R-CNN, ResNet-34 FPN backbone, 16-channel stem",
        per_sample_training_flops=2.1e11,
    )
    sys_json = system(
        "Example V100 partition", 32, 4, "NVIDIA V100-SXM2-32GB", "32 GB", framework="PyTorch 2.1"
    )
    sys_json["operating_system"] = "Rocky Linux 8.9"
    return bundle(manifest, sys_json, logs)


def aibench_image_classification(*, learning_rate: float | None = None, repeat_seed: bool = False) -> bytes:
    bench = _benchmark("aibench-training", "image-classification")
    hyper = dict(bench.reference_hyperparameters)
    if learning_rate is not None:
        hyper["opt_base_learning_rate"] = learning_rate
    seeds = [42, 43, 42] if repeat_seed else [42, 43, 44]
    plans = [Plan(seed, 90, 445.0, stepped(RESNET_STEPS), 1, hyper) for seed in seeds]
    logs = [write_log(plan, bench, T0_MS + i * 36_000_000) for i, plan in enumerate(plans)]
    manifest = _manifest(bench, "hardware", model="ResNet-50")
    sys_json = system("Example DGX-1 node", 1, 8, "NVIDIA V100-SXM2-32GB", "32 GB", framework="PyTorch 2.1")
    sys_json["operating_system"] = "Ubuntu 20.04"
    return bundle(manifest, sys_json, logs)


def _manifest(bench: Benchmark, level: str, **extra: Any) -> dict[str, Any]:
    return {
        "format_version": 1,
        "suite": bench.suite,
        "benchmark": bench.slug,
        "level": level,
        "organization": "Example HPC Centre",
        "availability": "available",
        "profile": "full",
        **extra,
        "reference": "https://example.org/benchcouncil-submission",
    }


EXAMPLES: dict[str, Callable[[], bytes]] = {
    "hpc-ai500-image-classification-system.tar.gz": hpc_image_classification,
    "hpc-ai500-extreme-weather-free.tar.gz": hpc_extreme_weather,
    "aibench-image-classification-hardware.tar.gz": aibench_image_classification,
    "invalid-hardware-changed-lr-duplicate-seed.tar.gz": lambda: aibench_image_classification(
        learning_rate=0.2, repeat_seed=True
    ),
}


def main(target: Path = HERE) -> None:
    for name, make in EXAMPLES.items():
        data = make()
        (target / name).write_bytes(data)
        report = validate_bundle(data, name)
        errors = ", ".join(sorted({f.code for f in report.errors})) or "-"
        print(f"{name}: {len(data)} bytes, {'valid' if report.valid else 'INVALID'}; errors: {errors}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
