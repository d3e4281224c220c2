"""What every benchmark workload gives the trainer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import Dataset

from catalogue import Benchmark

from ..networks import load_model_code
from ..registry import WorkloadSpec

StopCheck = Callable[[], bool]


@dataclass(frozen=True)
class Context:
    benchmark: Benchmark
    spec: WorkloadSpec
    profile: str
    model_name: str
    model_code: str | None
    data_root: Path | None
    # Smoke data from seeds nobody else knows: set when model code trains, so that the sandboxed
    # process cannot regenerate the evaluation set. None: the fixed, documented seeds.
    data_seed: int | None = None

    @property
    def smoke(self) -> bool:
        return self.profile == "smoke"

    def smoke_seeds(self) -> tuple[int, int, int]:
        """(train, eval, class patterns) seeds of the generated smoke data."""
        if self.data_seed is None:
            return 1, 2, 20261
        return self.data_seed, self.data_seed + 1, self.data_seed + 2

    @property
    def model_label(self) -> str:
        return f"model code {Path(self.model_code).name}" if self.model_code else self.model_name

    def model_maker(
        self, model_kwargs: dict[str, Any], reference: Callable[[], nn.Module]
    ) -> Callable[[], nn.Module]:
        """A fresh model each call: the model code's build_model(**model_kwargs), else `reference()`.

        The same `model_kwargs` go on the Workload, for the sandboxed trainer to call the code alike.
        """

        def make_model() -> nn.Module:
            if self.model_code:
                return load_model_code(self.model_code)(**model_kwargs)
            return reference()

        return make_model


@dataclass(frozen=True)
class Quality:
    value: float  # in the catalogue's quality metric; what eval_accuracy logs
    extras: dict[str, float] = field(default_factory=dict)  # other figures, logged as metadata


@dataclass
class Workload:
    model_label: str  # for the manifest's "model"
    make_model: Callable[[], nn.Module]  # a fresh model; called after the run's seed is set
    train_set: Dataset
    eval_set: Dataset
    # The loss of one batch and the number of samples in it.
    train_loss: Callable[[nn.Module, Any, torch.device], tuple[torch.Tensor, int]]
    evaluate: Callable[[nn.Module, Dataset, torch.device, StopCheck], Quality | None]
    flops_batch: Callable[[], Any]  # a two-sample training batch at the profile's input size
    smoke_epochs: int  # the epoch limit of a smoke run when the job does not set one
    collate: Callable[[list[Any]], Any] | None = None
    num_workers: int = 0
    # What free-level model code's build_model(...) is given (docs/runners.md, model_code contract).
    model_kwargs: dict[str, Any] = field(default_factory=dict)


def require_data_root(context: Context, sub: str) -> Path:
    if context.data_root is None:
        raise ValueError("the full profile needs a data root")
    path = context.data_root / sub
    if not path.is_dir():
        raise FileNotFoundError(f"{context.benchmark.key}: data directory {path} not found")
    return path
