"""run_job: every required run of one benchmark, written out as a result bundle."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
import torch.multiprocessing as mp

from catalogue import Benchmark, Catalogue, get_catalogue
from runners.level_rules import scaled_hyperparameters

from . import bundle, cluster, distributed, progress
from .config import JobConfig
from .flops import per_sample_training_flops
from .hyperparameters import resolve_hyperparameters
from .mllogging import RunLog
from .mlperf_keys import STATUS, Disclosure, division
from .registry import WORKLOADS
from .sandbox import require_sandbox
from .supervisor import Supervisor
from .trainer import CANCELLED, TIME_LIMIT, Hooks, RunResult, Session, run_training
from .workloads import Context, Workload, build_workload

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

    Free-level model code is untrusted: it trains in the sandbox while this process measures
    (runners.harness.supervisor); a host without a working sandbox refuses such a job.
    A cancelled or timed-out job still returns a bundle, holding the runs it did.
    """
    catalogue = catalogue or get_catalogue()
    benchmark = catalogue.benchmark(config.suite, config.benchmark)
    if benchmark is None:
        raise ValueError(f"no benchmark {config.suite}/{config.benchmark} in the catalogue")
    stop = should_stop or (lambda: False)
    out_dir = Path(out_dir)
    plan = Plan(config, benchmark, resolve_hyperparameters(benchmark, config.hyperparameters), out_dir)
    kind = distributed.resolve_device(config.device)
    if config.model_code:
        if distributed.launched_by_torchrun() and int(os.environ.get("WORLD_SIZE", "1")) > 1:
            # Each rank would train the whole job alone while the bundle claimed them all.
            raise ValueError("submitted model code runs in one sandboxed process, not across ranks")
        return _execute_supervised(plan, kind, on_progress, stop, echo_mllog)
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
    """One process's share of a job that runs trusted code only; rank 0 writes the bundle."""
    started = time.monotonic()
    world = distributed.init_world(kind, rank, world_size, rendezvous)
    try:
        plan = _scaled(plan, world.world_size)
        _check_plan(plan, world, kind)
        workload = build_workload(_context(plan))
        epochs = _epoch_limit(plan, workload)
        flops = per_sample_training_flops(workload, world.device)
        measured = Measured(workload, epochs, world, started, lambda: flops, kind)
        return _measure(plan, measured, None, on_progress, stop, echo_mllog)
    finally:
        distributed.close_world()


def _execute_supervised(
    plan: Plan, kind: str, on_progress: progress.ProgressCallback | None, stop: StopCallback, echo_mllog: bool
) -> Path:
    """A model-code job: the code trains in the sandbox; this process keeps the measurements."""
    require_sandbox()
    started = time.monotonic()
    # This side only evaluates through the meter and counts samples: one CPU process, no group.
    world = distributed.World(rank=0, world_size=1, device=torch.device("cpu"))
    _check_plan(plan, world, kind)
    context = replace(_context(plan), data_seed=secrets.randbelow(2**31 - 3))
    workload = build_workload(context)
    epochs = _epoch_limit(plan, workload)
    with Supervisor(workload, context, plan.hp, epochs, kind, plan.config.time_limit_s) as supervisor:
        measured = Measured(workload, epochs, world, started, lambda: _flops_of(supervisor), kind)
        archive = _measure(plan, measured, supervisor, on_progress, stop, echo_mllog)
    assert archive is not None
    return archive


def _flops_of(supervisor: Supervisor) -> float:
    if supervisor.per_sample_flops is None:
        raise RuntimeError("the sandbox handed over no model, so its FLOPs could not be counted")
    return supervisor.per_sample_flops


@dataclass(frozen=True)
class Measured:
    workload: Workload
    epochs: int
    world: distributed.World
    started: float
    flops: Callable[[], float]  # per-sample training FLOPs, asked for once the runs are done
    kind: str  # the device the model trains on: cpu or cuda


def _measure(
    plan: Plan,
    measured: Measured,
    session: Session | None,
    on_progress: progress.ProgressCallback | None,
    stop: StopCallback,
    echo_mllog: bool,
) -> Path | None:
    """Every run of the job, then (rank 0) the bundle and the final progress event."""
    world, workload = measured.world, measured.workload
    tracker = progress.Progress(
        plan.config.run_count(plan.benchmark), measured.epochs, plan.benchmark.target_quality
    )
    tracker.callback = on_progress if world.is_main else None
    bundle_dir = _bundle_dir(plan) if world.is_main else None
    system = _system(plan) if world.is_main else None
    disclosure = _disclosure(plan, world, measured.kind, system) if system is not None else None
    deadline = measured.started + plan.config.time_limit_s
    hooks = RunHooks(tracker, stop, deadline, echo_mllog, session, disclosure)
    results = _runs(plan, workload, measured.epochs, world, bundle_dir, hooks)
    if bundle_dir is None or system is None:
        return None
    state = _final_state(results, len(plan.config.run_seeds(plan.benchmark)))
    flops = measured.flops() if state == progress.FINISHED else _flops_if_any(measured)
    archive = _write_bundle(plan, workload, bundle_dir, flops, system)
    last = results[-1] if results else None
    tracker.emit(
        run=len(results), epoch=last.epochs if last else 0, quality=last.quality if last else None,
        eta_s=0.0, state=state,
    )  # fmt: skip
    return archive


def _flops_if_any(measured: Measured) -> float:
    """An unfinished job's bundle is never submitted; it keeps whatever FLOPs count there is."""
    try:
        return measured.flops()
    except RuntimeError:
        return 0.0


@dataclass(frozen=True)
class RunHooks:
    """What every run of a job shares besides the plan: progress, stopping, its log's header."""

    tracker: progress.Progress
    stop: StopCallback
    deadline: float
    echo_mllog: bool
    session: Session | None
    disclosure: Disclosure | None


def _runs(
    plan: Plan,
    workload: Workload,
    epochs: int,
    world: distributed.World,
    bundle_dir: Path | None,
    shared: RunHooks,
) -> list[RunResult]:
    results: list[RunResult] = []
    tracker = shared.tracker
    for index, seed in enumerate(plan.config.run_seeds(plan.benchmark), start=1):
        log = RunLog(bundle_dir / "logs" / f"run_{index}.log", echo=shared.echo_mllog) if bundle_dir else None

        def on_epoch(epoch: int, quality: Any, seconds: float, run: int = index) -> None:
            tracker.epoch(run, epoch, quality.value if quality else None, seconds)

        try:
            hooks = Hooks(shared.stop, shared.deadline, on_epoch)
            result = run_training(
                workload, plan.benchmark, plan.hp, seed, epochs, world, log, hooks, shared.session,
                shared.disclosure,
            )  # fmt: skip
        finally:
            if log is not None:
                log.close()
        results.append(result)
        tracker.run_finished(index, result.epochs, result.wall_seconds)
        if result.reason in (CANCELLED, TIME_LIMIT):
            break  # the runs not started are left out of the bundle
    return results


def _scaled(plan: Plan, processes: int) -> Plan:
    """The level's batch scaling (catalogue/scaling.py) for this many processes."""
    level = get_catalogue().levels[plan.config.level]
    hp = scaled_hyperparameters(plan.hp, plan.benchmark, level, processes, plan.config.hyperparameters)
    return dataclasses.replace(plan, hp=hp) if hp is not plan.hp else plan


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


def _system(plan: Plan) -> dict[str, Any]:
    c = plan.config
    return cluster.job_system_description(system_name=c.system_name, submitter=c.organization)


def _disclosure(plan: Plan, world: distributed.World, kind: str, system: dict[str, Any]) -> Disclosure:
    """The log's header: the bundle's organization and system, and the job's MLPerf division."""
    c = plan.config
    reference = plan.benchmark.reference_for(get_catalogue().levels[c.level], world.world_size)
    return Disclosure(
        organization=c.organization,
        platform=str(system["system_name"]),
        division=division(level=c.level, profile=c.profile, hp=plan.hp, reference=reference),
        status=STATUS[c.availability],
        device_type=kind,
    )


def _write_bundle(
    plan: Plan, workload: Workload, bundle_dir: Path, flops: float, system: dict[str, Any]
) -> Path:
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
            model_code_sha256=_digest(c.model_code),
        ),
    )
    bundle.write_json(bundle_dir / "system.json", system)
    bundle.write_json(bundle_dir / "hyperparameters.json", plan.hp)
    return bundle.pack(bundle_dir, bundle_dir.with_name(bundle_dir.name + ".tar.gz"))


def _digest(path: str | None) -> str | None:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None


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
