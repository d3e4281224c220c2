"""One training run: train an epoch, evaluate, log, until the target or the epoch limit."""

from __future__ import annotations

import contextlib
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

from catalogue import Benchmark

from . import mllogging as ml
from .distributed import World, from_main, largest, total
from .hyperparameters import build_optimizer, learning_rate_factor, logged_hyperparameters
from .mlperf_keys import Disclosure, Shape, setup_keys, submission_keys
from .workloads import Quality, Workload

TARGET, EPOCHS, CANCELLED, TIME_LIMIT = "target", "epochs", "cancelled", "time_limit"
# Stop reasons in rising order of precedence, so that all ranks agree on the strongest one.
_STOP_REASONS: tuple[str | None, ...] = (None, TIME_LIMIT, CANCELLED)


@dataclass(frozen=True)
class Hooks:
    should_stop: Callable[[], bool]
    deadline: float  # time.monotonic() value past which the job stops
    on_epoch: Callable[[int, Quality | None, float], None]  # epoch, quality, seconds per epoch


@dataclass(frozen=True)
class RunResult:
    seed: int
    status: str  # MLLOG run_stop status: success or aborted
    reason: str  # target, epochs, cancelled or time_limit
    epochs: int
    samples: int
    train_seconds: float  # time in training steps only: the throughput figure's denominator
    wall_seconds: float
    quality: float | None


@dataclass
class Loop:
    """What an epoch of training needs; built once per run."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    loader: DataLoader
    train_loss: Callable[[nn.Module, Any, torch.device], tuple[torch.Tensor, int]]
    hp: dict[str, Any]
    total_epochs: int
    world: World
    stop: Callable[[], str | None]  # the reason to stop now, or None
    scaler: torch.amp.GradScaler | None = None

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        precision = self.hp.get("precision", "fp32")
        if precision == "fp32":
            return contextlib.nullcontext()
        dtype = torch.bfloat16 if precision == "bf16" else torch.float16
        return torch.autocast(self.world.device.type, dtype=dtype)


def train_epoch(loop: Loop, epoch: int) -> tuple[int, str | None]:
    """Train one epoch (1-based); return the samples this rank processed and any stop reason."""
    steps = max(len(loop.loader), 1)
    base_lr = loop.hp["opt_base_learning_rate"]
    samples = 0
    for step, batch in enumerate(loop.loader):
        if (reason := loop.stop()) is not None:
            return samples, reason
        factor = learning_rate_factor(loop.hp, epoch - 1 + step / steps, loop.total_epochs)
        for group in loop.optimizer.param_groups:
            group["lr"] = base_lr * factor
        with loop.autocast():
            loss, count = loop.train_loss(loop.model, batch, loop.world.device)
        loop.optimizer.zero_grad(set_to_none=True)
        if loop.scaler is not None:
            loop.scaler.scale(loss).backward()
            loop.scaler.step(loop.optimizer)
            loop.scaler.update()
        else:
            loss.backward()
            loop.optimizer.step()
        samples += count
    return samples, None


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def make_loop(
    workload: Workload, hp: dict[str, Any], seed: int, epochs: int, world: World, stop: Any
) -> Loop:
    seed_everything(seed)
    model = workload.make_model().to(world.device)
    if world.world_size > 1:
        # One process alone gains nothing from DDP's gradient buckets, so it is not wrapped.
        ids = [world.device.index] if world.device.type == "cuda" else None
        model = DistributedDataParallel(model, device_ids=ids)
    model.train()
    batch = hp["global_batch_size"] // world.world_size
    sampler: DistributedSampler[Any] | None = (
        DistributedSampler(workload.train_set, seed=seed) if world.world_size > 1 else None
    )
    loader = DataLoader(
        workload.train_set,
        batch_size=batch,
        shuffle=sampler is None,
        sampler=sampler,
        generator=torch.Generator().manual_seed(seed),
        collate_fn=workload.collate,
        num_workers=workload.num_workers,
        pin_memory=world.device.type == "cuda",
        persistent_workers=workload.num_workers > 0,
    )
    fp16 = hp.get("precision") == "fp16"
    scaler = torch.amp.GradScaler(world.device.type) if fp16 else None
    optimizer = build_optimizer(model.parameters(), hp)
    return Loop(model, optimizer, loader, workload.train_loss, hp, epochs, world, stop, scaler)


class Session(Protocol):
    """Where a run's training and evaluation happen: in this process, or a sandbox's (supervisor)."""

    def begin(self, seed: int, stop: Callable[[], str | None]) -> None: ...
    def train_epoch(self, epoch: int) -> tuple[int, str | None]: ...  # samples of all ranks, stop reason
    def evaluate(self) -> Quality | None: ...  # None: stopped


@dataclass
class LocalSession:
    """Trusted code only (no model code): the model trains and is evaluated in this process."""

    workload: Workload
    hp: dict[str, Any]
    epochs: int
    world: World
    loop: Loop | None = None
    stop: Callable[[], str | None] = lambda: None

    def begin(self, seed: int, stop: Callable[[], str | None]) -> None:
        self.stop = stop
        self.loop = make_loop(self.workload, self.hp, seed, self.epochs, self.world, stop)

    def train_epoch(self, epoch: int) -> tuple[int, str | None]:
        assert self.loop is not None
        if isinstance(self.loop.loader.sampler, DistributedSampler):
            self.loop.loader.sampler.set_epoch(epoch)
        samples, stopped = train_epoch(self.loop, epoch)
        return total(samples, self.world), stopped

    def evaluate(self) -> Quality | None:
        assert self.loop is not None
        return _evaluate(self.workload, self.loop.model, self.world, self.stop)


def run_training(
    workload: Workload,
    benchmark: Benchmark,
    hp: dict[str, Any],
    seed: int,
    epochs: int,
    world: World,
    log: ml.RunLog | None,
    hooks: Hooks,
    session: Session | None = None,
    disclosure: Disclosure | None = None,
) -> RunResult:
    """One run with its MLLOG events; `log` is None on every rank but the first.

    This is the one place that reads the clock and writes a run's MLLOG events, whichever
    session trains: the figures are this process's measurements, not the session's word.
    `disclosure` names the job's submitter, system and MLPerf division (runners.harness.job).
    """

    def stop() -> str | None:
        local = (
            CANCELLED if hooks.should_stop() else TIME_LIMIT if time.monotonic() > hooks.deadline else None
        )
        # Every rank leaves the loop at the same step with the same reason, whichever rank saw it
        # first (each rank's clock passes the deadline at its own moment); a cancel outranks it.
        return _STOP_REASONS[largest(_STOP_REASONS.index(local), world)]

    session = session or LocalSession(workload, hp, epochs, world)
    emit = log or _Silent()
    _log_setup(
        emit, workload, benchmark, hp, seed, Shape(world.world_size, 0, epochs, world.device.type), disclosure
    )
    session.begin(seed, stop)
    emit.end(ml.INIT_STOP)
    started = time.monotonic()
    emit.start(ml.RUN_START)
    samples_total, train_seconds, quality, reason, epoch = 0, 0.0, None, EPOCHS, 0
    for epoch in range(1, epochs + 1):
        emit.start(ml.EPOCH_START, epoch_num=epoch)
        tick = time.monotonic()
        samples, stopped = session.train_epoch(epoch)
        train_seconds += time.monotonic() - tick
        samples_total += samples
        emit.end(ml.EPOCH_STOP, epoch_num=epoch, samples=samples)
        if stopped is not None:
            reason = stopped
            break
        emit.start(ml.EVAL_START, epoch_num=epoch)
        result = session.evaluate()
        emit.end(ml.EVAL_STOP, epoch_num=epoch)
        if result is None:
            reason = CANCELLED if hooks.should_stop() else TIME_LIMIT
            break
        quality = result.value
        emit.event(ml.EVAL_ACCURACY, quality, epoch_num=epoch, **result.extras)
        hooks.on_epoch(epoch, result, (time.monotonic() - started) / epoch)
        if _reached(quality, benchmark):
            reason = TARGET
            break
    status = ml.SUCCESS if reason == TARGET else ml.ABORTED
    emit.end(ml.RUN_STOP, status=status)
    wall = time.monotonic() - started
    return RunResult(seed, status, reason, epoch, samples_total, train_seconds, wall, quality)


def _log_setup(
    emit: ml.RunLog | _Silent,
    workload: Workload,
    benchmark: Benchmark,
    hp: dict[str, Any],
    seed: int,
    shape: Shape,
    disclosure: Disclosure | None,
) -> None:
    """What MLPerf logs before run_start: who ran it, the cache, then the configuration during init."""
    train_samples = len(workload.train_set)  # type: ignore[arg-type]
    device_type = disclosure.device_type if disclosure is not None else shape.device_type
    shape = replace(shape, train_samples=train_samples, device_type=device_type)
    for key, value in (submission_keys(disclosure) if disclosure is not None else {}).items():
        emit.event(key, value)
    emit.event(ml.SUBMISSION_BENCHMARK, benchmark.mllog_benchmark)
    # The harness runs unprivileged and cannot drop the host's file cache: it says it did not.
    emit.event(ml.CACHE_CLEAR, False)
    emit.start(ml.INIT_START)
    emit.event(ml.SEED, seed)
    emit.event(ml.GLOBAL_BATCH_SIZE, hp["global_batch_size"])
    emit.event(ml.TRAIN_SAMPLES, train_samples)
    emit.event(ml.EVAL_SAMPLES, len(workload.eval_set))  # type: ignore[arg-type]
    for key, value in {**setup_keys(hp, shape), **logged_hyperparameters(hp)}.items():
        emit.event(key, value)


def _evaluate(
    workload: Workload, model: nn.Module, world: World, stop: Callable[[], str | None]
) -> Quality | None:
    """Rank 0 evaluates the whole eval set; the others wait for its figure. None: stopped."""
    inner = model.module if isinstance(model, DistributedDataParallel) else model
    # With several ranks the stop check is a collective, which rank 0 alone cannot call here.
    check = (lambda: stop() is not None) if world.world_size == 1 else (lambda: False)
    result: Quality | None = None
    if world.is_main:
        inner.eval()
        result = workload.evaluate(inner, workload.eval_set, world.device, check)
        inner.train()
    value = from_main(math.nan if result is None else result.value, world)
    if math.isnan(value):
        return None
    return result if result is not None else Quality(value)


def _reached(quality: float, benchmark: Benchmark) -> bool:
    target = benchmark.target_quality
    return quality >= target if benchmark.higher_is_better else quality <= target


class _Silent:
    """Stands in for the RunLog on ranks that do not write one."""

    def event(self, key: str, value: Any = None, **metadata: Any) -> None:
        pass

    start = end = event
