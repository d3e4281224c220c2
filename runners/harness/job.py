"""run_job: every required run of one benchmark, written out as a result bundle."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.multiprocessing as mp

from ranking.catalogue import Benchmark, Catalogue, get_catalogue
from ranking.catalogue.scaling import SCALED_KEYS

from . import bundle, cluster, distributed, progress
from .config import JobConfig
from .flops import per_sample_training_flops
from .hyperparameters import resolve_hyperparameters
from .mllogging import RunLog
from .registry import WORKLOADS
from .trainer import CANCELLED, TIME_LIMIT, Hooks, RunResult, run_training
from .workloads import Context, Workload, build_workload

SANDBOXED_ENV = "BENCHCOUNCIL_HARNESS_SANDBOXED"  # set in the sandbox's child process
UNBOUNDED_EPOCHS = 10_000  # the catalogue gives no epoch limit: the time limit bounds the run

StopCallback = Callable[[], bool]


@dataclass(frozen=True)
class Plan:
    config: JobConfig
    benchmark: Benchmark
    hp: dict[str, Any]
    out_dir: Path


def run_job(
    config: JobConfig,
    out_dir: Path,
    on_progress: progress.ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    *,
    catalogue: Catalogue | None = None,
    echo_mllog: bool = False,
) -> Path:
    """Run all the job's runs and return the packed bundle (.tar.gz) written under out_dir.

    Free-level model code is untrusted: such a job re-runs itself inside the sandbox.
    A cancelled or timed-out job still returns a bundle, holding the runs it did.
    """
    catalogue = catalogue or get_catalogue()
    benchmark = catalogue.benchmark(config.suite, config.benchmark)
    if benchmark is None:
        raise ValueError(f"no benchmark {config.suite}/{config.benchmark} in the catalogue")
    stop = should_stop or (lambda: False)
    out_dir = Path(out_dir)
    if config.model_code and not os.environ.get(SANDBOXED_ENV):
        from .sandbox import run_job_sandboxed

        return run_job_sandboxed(config, out_dir, on_progress, stop)
    plan = Plan(config, benchmark, resolve_hyperparameters(benchmark, config.hyperparameters), out_dir)
    kind = distributed.resolve_device(config.device)
    with tempfile.TemporaryDirectory(prefix="harness-") as scratch:
        rendezvous = Path(scratch) / "rendezvous"
        if distributed.launched_by_torchrun():
            rank, size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
            return _execute(plan, kind, rank, size, rendezvous, on_progress, stop, echo_mllog) or out_dir
        gpus = torch.cuda.device_count() if kind == "cuda" else 1
        if gpus > 1:
            return _spawn(plan, gpus, rendezvous, on_progress, stop)
        archive = _execute(plan, kind, 0, 1, rendezvous, on_progress, stop, echo_mllog)
        assert archive is not None  # rank 0 always packs
        return archive


def _execute(
    plan: Plan,
    kind: str,
    rank: int,
    world_size: int,
    rendezvous: Path,
    on_progress: progress.ProgressCallback | None,
    stop: StopCallback,
    echo_mllog: bool,
) -> Path | None:
    """One process's share of the job; rank 0 writes and returns the bundle."""
    started = time.monotonic()
    world = distributed.init_world(kind, rank, world_size, rendezvous)
    try:
        plan = _scaled(plan, world.world_size)
        _check_plan(plan, world, kind)
        workload = build_workload(_context(plan))
        epochs = _epoch_limit(plan, workload)
        flops = per_sample_training_flops(workload, world.device)
        tracker = progress.Progress(
            plan.config.run_count(plan.benchmark), epochs, plan.benchmark.target_quality
        )
        tracker.callback = on_progress if world.is_main else None
        bundle_dir = _bundle_dir(plan) if world.is_main else None
        deadline = started + plan.config.time_limit_s
        results = _runs(plan, workload, epochs, world, bundle_dir, tracker, stop, deadline, echo_mllog)
        if bundle_dir is None:
            return None
        archive = _write_bundle(plan, workload, bundle_dir, flops)
        state = _final_state(results, len(plan.config.run_seeds(plan.benchmark)))
        last = results[-1] if results else None
        tracker.emit(
            run=len(results), epoch=last.epochs if last else 0, quality=last.quality if last else None,
            eta_s=0.0, state=state,
        )  # fmt: skip
        return archive
    finally:
        distributed.close_world()


def _runs(
    plan: Plan,
    workload: Workload,
    epochs: int,
    world: distributed.World,
    bundle_dir: Path | None,
    tracker: progress.Progress,
    stop: StopCallback,
    deadline: float,
    echo_mllog: bool,
) -> list[RunResult]:
    results: list[RunResult] = []
    for index, seed in enumerate(plan.config.run_seeds(plan.benchmark), start=1):
        log = RunLog(bundle_dir / "logs" / f"run_{index}.log", echo=echo_mllog) if bundle_dir else None

        def on_epoch(epoch: int, quality: Any, seconds: float, run: int = index) -> None:
            tracker.epoch(run, epoch, quality.value if quality else None, seconds)

        try:
            result = run_training(
                workload, plan.benchmark, plan.hp, seed, epochs, world, log, Hooks(stop, deadline, on_epoch)
            )
        finally:
            if log is not None:
                log.close()
        results.append(result)
        tracker.run_finished(index, result.epochs, result.wall_seconds)
        if result.reason in (CANCELLED, TIME_LIMIT):
            break  # the runs not started are left out of the bundle
    return results


def _scaled(plan: Plan, processes: int) -> Plan:
    """The level's batch scaling (ranking/catalogue/scaling.py) for this many processes."""
    level = get_catalogue().levels[plan.config.level]
    scaled = plan.benchmark.reference_for(level, processes)
    changes = {
        key: scaled[key]
        for key in SCALED_KEYS
        if key in scaled and key not in plan.config.hyperparameters and scaled[key] != plan.hp.get(key)
    }
    return dataclasses.replace(plan, hp={**plan.hp, **changes}) if changes else plan


def _check_plan(plan: Plan, world: distributed.World, kind: str) -> None:
    batch = plan.hp["global_batch_size"]
    if batch % world.world_size:
        raise ValueError(f"global_batch_size {batch} does not divide among {world.world_size} processes")
    if plan.hp.get("precision") == "fp16" and kind != "cuda":
        raise ValueError("precision fp16 needs a GPU; use fp32 or bf16 on a CPU")


def _context(plan: Plan) -> Context:
    spec = WORKLOADS[plan.benchmark.key]
    config = plan.config
    default = spec.smoke_model if config.profile == "smoke" else spec.reference_model
    return Context(
        benchmark=plan.benchmark,
        spec=spec,
        profile=config.profile,
        model_name=config.model or default,
        model_code=config.model_code,
        data_root=config.resolved_data_root(),
    )


def _epoch_limit(plan: Plan, workload: Workload) -> int:
    catalogue_limit = plan.benchmark.epochs or UNBOUNDED_EPOCHS
    if plan.config.profile == "smoke":
        return min(plan.config.max_epochs or workload.smoke_epochs, catalogue_limit)
    return catalogue_limit


def _bundle_dir(plan: Plan) -> Path:
    c = plan.config
    name = f"{c.suite}_{c.benchmark}_{c.level}_{c.profile}_{time.strftime('%Y%m%dT%H%M%S')}"
    path = plan.out_dir / name
    path.mkdir(parents=True, exist_ok=False)
    return path


def _write_bundle(plan: Plan, workload: Workload, bundle_dir: Path, flops: float) -> Path:
    c = plan.config
    bundle.write_json(
        bundle_dir / "manifest.json",
        bundle.manifest(
            suite=c.suite,
            benchmark=c.benchmark,
            level=c.level,
            organization=c.organization,
            availability=c.availability,
            profile=c.profile,
            per_sample_training_flops=flops,
            model=workload.model_label,
        ),
    )
    system = cluster.job_system_description(system_name=c.system_name, submitter=c.organization)
    bundle.write_json(bundle_dir / "system.json", system)
    bundle.write_json(bundle_dir / "hyperparameters.json", plan.hp)
    return bundle.pack(bundle_dir, bundle_dir.with_name(bundle_dir.name + ".tar.gz"))


def _final_state(results: list[RunResult], planned: int) -> str:
    if results and results[-1].reason == CANCELLED:
        return progress.CANCELLED
    if results and results[-1].reason == TIME_LIMIT:
        return progress.TIMED_OUT
    return progress.FINISHED if len(results) == planned else progress.FAILED


def _spawn(
    plan: Plan, gpus: int, rendezvous: Path, on_progress: progress.ProgressCallback | None, stop: StopCallback
) -> Path:
    """One worker per GPU; the parent relays progress and the stop request."""
    context = mp.get_context("spawn")
    events, stop_flag = context.Queue(), context.Event()
    workers = mp.start_processes(
        _worker,
        args=(plan, gpus, rendezvous, events, stop_flag),
        nprocs=gpus,
        join=False,
        start_method="spawn",
    )
    archive: Path | None = None
    while not workers.join(timeout=1.0):
        if stop():
            stop_flag.set()
        while not events.empty():
            kind, payload = events.get()
            if kind == "progress" and on_progress is not None:
                on_progress(payload)
            elif kind == "archive":
                archive = Path(payload)
    while not events.empty():
        kind, payload = events.get()
        archive = Path(payload) if kind == "archive" else archive
    if archive is None:
        raise RuntimeError("the GPU workers finished without writing a bundle")
    return archive


def _worker(rank: int, gpus: int, plan: Plan, rendezvous: Path, events: Any, stop_flag: Any) -> None:
    def relay(event: dict[str, Any]) -> None:
        events.put(("progress", event))

    archive = _execute(plan, "cuda", rank, gpus, rendezvous, relay, stop_flag.is_set, False)
    if archive is not None:
        events.put(("archive", str(archive)))
