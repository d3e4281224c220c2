"""The trusted side of a free-level model-code job: it measures, the sandbox only trains.

Two sandboxed processes serve one job (runners.harness.sandbox):

- the trainer (runners.harness.sandboxed_train) runs the submitted code: it gets the training
  set and nothing else, trains an epoch when asked, and hands the model over as TorchScript;
- the meter (runners.harness.meter) runs no submitted Python: it loads each handed-over model,
  runs it on evaluation inputs (never their labels) and counts its FLOPs.

This process keeps the clock, the MLLOG log and the bundle (runners.harness.trainer and job),
generates the smoke data from seeds only it knows, computes quality from the model's outputs
with the evaluation set's ground truth, and checks every handover: a regular file in the
trainer's scratch directory, of bounded size, whose model has the FLOPs the first one had.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import torch
from torch import nn
from torch.utils.data import TensorDataset

from .flops import FLOPS_BATCH_SAMPLES
from .messages import HANDOVER_DIR, HANDOVER_FILE
from .sandbox import Limits, Mounts, SandboxError, SandboxProcess, SandboxUnavailable, require_sandbox
from .trainer import CANCELLED
from .workloads import Context, Quality, Workload

logger = logging.getLogger("runners.harness.sandbox")

HANDOVER_MAX_BYTES = 16 * 1024**3
# Relative. A model's count is exact, but a detector's sampled regions can vary a little with its
# weights; a model swapped for another changes it by far more (the reproductions' 1 % as well).
FLOPS_TOLERANCE = 0.01
STARTUP_GRACE_S = 120.0  # on top of the job's time limit: importing torch twice, in two sandboxes
DATA_INSIDE = "/data"


class _Captured(Exception):  # noqa: N818 - not an error: how the model call's arguments come out
    def __init__(self, arguments: tuple[Any, ...]) -> None:
        super().__init__("captured")
        self.arguments = arguments


def model_call_of(loss: Callable[..., Any], batch: Any) -> tuple[Any, ...]:
    """The arguments `loss` calls the model with on `batch`, without running any model."""

    def capture(*arguments: Any) -> Any:
        raise _Captured(arguments)

    try:
        loss(cast(nn.Module, capture), batch, torch.device("cpu"))
    except _Captured as captured:
        return captured.arguments
    raise RuntimeError("the workload's loss never called its model")


@dataclass
class Supervisor:
    """A Session (runners.harness.trainer) whose model trains in the sandbox; use it as a context."""

    workload: Workload
    context: Context
    hp: dict[str, Any]
    epochs: int
    device: str  # "cpu" or "cuda": where the sandboxed processes run
    time_limit_s: float
    per_sample_flops: float | None = None
    halted: bool = False  # stopped (cancelled, timed out): the sandboxes are gone
    _stop: Callable[[], str | None] = field(default=lambda: None, repr=False)
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    def __enter__(self) -> Supervisor:
        require_sandbox()
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _start(self) -> None:
        self.train_dir = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="harness-train-")))
        self.meter_dir = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="harness-meter-")))
        assert self.context.model_code is not None
        shutil.copyfile(self.context.model_code, self.train_dir / "model_code.py")
        source, read_only = self._training_set()
        job = {
            "family": self.context.spec.family, "model_kwargs": self.workload.model_kwargs,
            "model_code": "model_code.py", "train_set": source, "num_workers": self.workload.num_workers,
            "hyperparameters": self.hp, "epochs": self.epochs, "device": self.device,
        }  # fmt: skip
        (self.train_dir / "job.json").write_text(json.dumps(job))
        self._flops_file()
        gpu = self.device == "cuda"
        self.trainer = self._process(
            "runners.harness.sandboxed_train", [], Mounts(self.train_dir, read_only, gpu)
        )
        self.meter = self._process("runners.harness.meter", [self.device], Mounts(self.meter_dir, (), gpu))

    def _process(self, module: str, args: list[str], mounts: Mounts) -> SandboxProcess:
        # CUDA maps far more virtual memory than it uses: no address-space limit on GPU jobs.
        limits = Limits(address_space_bytes=None if mounts.gpu else Limits.address_space_bytes)
        name = module.rsplit(".", 1)[-1]
        process = SandboxProcess(
            [sys.executable, "-m", module, *args], mounts, self.time_limit_s + STARTUP_GRACE_S, limits,
            on_line=lambda line: logger.info("%s| %s", name, line),
        )  # fmt: skip
        self._stack.callback(process.close)
        return process

    def _training_set(self) -> tuple[dict[str, Any], tuple[tuple[Path, str], ...]]:
        """What the trainer trains on: a file in its scratch, or the training split bound read-only."""
        train_set = self.workload.train_set
        if not self.context.smoke and self.context.spec.dataset in ("imagenet", "extreme-weather"):
            assert self.context.data_root is not None
            split = self.context.data_root / self.context.spec.dataset / "train"
            inside = f"{DATA_INSIDE}/{self.context.spec.dataset}/train"
            root = inside.removesuffix("/train") if self.context.spec.dataset == "imagenet" else inside
            return {"kind": self.context.spec.dataset, "root": root}, ((split, inside),)
        if isinstance(train_set, TensorDataset):
            torch.save(train_set.tensors, self.train_dir / "train.pt")
            return {"kind": "tensors", "file": "train.pt"}, ()
        if not self.context.smoke:
            raise SandboxUnavailable(
                f"{self.context.benchmark.key}: its full data set keeps training and evaluation files "
                "together, so model code cannot be kept from the evaluation labels; use the smoke profile"
            )
        torch.save([train_set[i] for i in range(len(train_set))], self.train_dir / "train.pt")  # type: ignore[arg-type]
        return {"kind": "samples", "file": "train.pt"}, ()

    def _flops_file(self) -> None:
        arguments = model_call_of(self.workload.train_loss, self.workload.flops_batch())
        torch.save(arguments, self.meter_dir / "flops.pt")

    # --- Session -----------------------------------------------------------------------

    def begin(self, seed: int, stop: Callable[[], str | None]) -> None:
        self._stop = stop
        self.trainer.send({"op": "begin", "seed": seed})
        if self._answer(self.trainer, "ready") is not None:
            self._take_handover()

    def train_epoch(self, epoch: int) -> tuple[int, str | None]:
        if self.halted:
            return 0, self._stop() or CANCELLED
        self.trainer.send({"op": "epoch", "epoch": epoch})
        answer = self._answer(self.trainer, "trained")
        if answer is None:
            return 0, self._stop() or CANCELLED
        if answer.get("epoch") != epoch:
            raise SandboxError(f"the trainer answered for epoch {answer.get('epoch')!r}, not {epoch}")
        self._take_handover()
        # The samples an epoch covers, by this side's count of the training set it handed over.
        return len(self.workload.train_set), None  # type: ignore[arg-type]

    def evaluate(self) -> Quality | None:
        if self.halted:
            return None
        model = RemoteModel(self)
        try:
            return self.workload.evaluate(
                cast(nn.Module, model),
                self.workload.eval_set,
                torch.device("cpu"),
                lambda: self._stop() is not None,
            )
        except _Stopped:
            return None

    # --- Talking to the sandboxes ---------------------------------------------------------

    def _answer(self, process: SandboxProcess, expected: str) -> dict[str, Any] | None:
        answer = process.receive(lambda: self._stop() is not None)
        if answer is None:
            self.halted = True
            self.trainer.close()
            self.meter.close()
            return None
        if answer.get("op") == "error":
            raise SandboxError(f"the model failed: {str(answer.get('message'))[:2000]}")
        if answer.get("op") != expected:
            raise SandboxError(f"expected {expected!r} from the sandbox, got {str(answer.get('op'))[:80]!r}")
        return answer

    def _take_handover(self) -> None:
        with _open_handover(self.train_dir) as source, (self.meter_dir / "model.pt").open("wb") as target:
            shutil.copyfileobj(source, target)
        self.meter.send({"op": "load", "file": "model.pt"})
        if self._answer(self.meter, "loaded") is None:
            return
        self.meter.send({"op": "flops", "file": "flops.pt"})
        answer = self._answer(self.meter, "counted")
        if answer is None:
            return
        flops = answer.get("flops")
        if not isinstance(flops, int | float) or not math.isfinite(flops) or flops <= 0:
            raise SandboxError(f"the meter counted {flops!r} FLOPs")
        per_sample = float(flops) / FLOPS_BATCH_SAMPLES
        if self.per_sample_flops is None:
            self.per_sample_flops = per_sample
        elif abs(per_sample - self.per_sample_flops) > FLOPS_TOLERANCE * self.per_sample_flops:
            raise SandboxError(
                f"the handed-over model changed: {per_sample:.6g} FLOPs per sample, "
                f"not the {self.per_sample_flops:.6g} it started with"
            )

    def call_model(self, arguments: tuple[Any, ...]) -> Any:
        torch.save(_to_cpu(arguments), self.meter_dir / "call.pt")
        self.meter.send({"op": "call", "file": "call.pt"})
        if self._answer(self.meter, "called") is None:
            raise _Stopped
        return torch.load(self.meter_dir / "call.out", weights_only=True)


class _Stopped(Exception):  # noqa: N818 - the job was stopped in the middle of an evaluation
    pass


class RemoteModel:
    """Stands in for the model in the workload's own evaluation: each call runs in the meter."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor

    def __call__(self, *arguments: Any) -> Any:
        return self.supervisor.call_model(arguments)

    def eval(self) -> RemoteModel:
        return self

    def train(self, mode: bool = True) -> RemoteModel:
        return self


@contextlib.contextmanager
def _open_handover(scratch: Path) -> Iterator[Any]:
    """The trainer's model file, refused unless a regular file under its scratch (no link followed)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW
    try:
        folder = os.open(scratch / HANDOVER_DIR, flags | os.O_DIRECTORY)
    except OSError as exc:
        raise SandboxError(f"the trainer handed over no model ({exc.strerror})") from exc
    try:
        fd = os.open(HANDOVER_FILE, flags, dir_fd=folder)
    except OSError as exc:
        raise SandboxError(f"the trainer's handover is not a regular file ({exc.strerror})") from exc
    finally:
        os.close(folder)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > HANDOVER_MAX_BYTES:
        os.close(fd)
        raise SandboxError("the trainer's handover is not a regular file of at most 16 GiB")
    with os.fdopen(fd, "rb") as stream:
        yield stream


def _to_cpu(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: _to_cpu(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_to_cpu(v) for v in value)
    return value
