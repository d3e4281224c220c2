"""Benchmark workloads: classification, detection and ranking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..registry import CLASSIFICATION, DETECTION, RANKING
from .base import Context, Quality, Workload


def build_workload(context: Context) -> Workload:
    # Imported here so that a host loads only the family it runs.
    if context.spec.family == CLASSIFICATION:
        from .classification import build

        return build(context)
    if context.spec.family == DETECTION:
        from .detection import build

        return build(context)
    if context.spec.family == RANKING:
        from .ranking import build

        return build(context)
    raise ValueError(f"unknown workload family {context.spec.family!r}")


def training_step_of(family: str, model_kwargs: dict[str, Any]) -> TrainingStep:
    """The family's loss and batch collation, for a process that has the training set only."""
    if family == CLASSIFICATION:
        from .classification import train_loss

        return TrainingStep(train_loss, None)
    if family == DETECTION:
        from ..data.detection import collate
        from .detection import train_loss as detection_loss

        return TrainingStep(detection_loss, collate)
    if family == RANKING:
        from .ranking import make_train_loss

        return TrainingStep(make_train_loss(int(model_kwargs["num_items"])), None)
    raise ValueError(f"unknown workload family {family!r}")


@dataclass(frozen=True)
class TrainingStep:
    loss: Callable[[nn.Module, Any, torch.device], tuple[torch.Tensor, int]]
    collate: Callable[[list[Any]], Any] | None


__all__ = ["Context", "Quality", "TrainingStep", "Workload", "build_workload", "training_step_of"]
