"""Hyper-parameters the harness applies, named as the catalogue and the MLLOG keys name them.

Which names and values a job may give is runners.level_rules's (checked before a job runs); this
module builds what they name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch

from runners.level_rules import OPTIMIZERS, resolve_hyperparameters

__all__ = ["build_optimizer", "learning_rate_factor", "logged_hyperparameters", "resolve_hyperparameters"]

DEFAULT_DECAY_FACTOR = 0.1  # the reference codes' step decay


def build_optimizer(params: Iterable[torch.nn.Parameter], hp: dict[str, Any]) -> torch.optim.Optimizer:
    lr, wd = hp["opt_base_learning_rate"], hp.get("opt_weight_decay", 0.0)
    trainable = [p for p in params if p.requires_grad]
    if hp["opt_name"] == "sgd":
        return torch.optim.SGD(trainable, lr=lr, momentum=hp.get("opt_momentum", 0.0), weight_decay=wd)
    if hp["opt_name"] == "adam":
        return torch.optim.Adam(trainable, lr=lr, weight_decay=wd)
    if hp["opt_name"] == "adamw":
        return torch.optim.AdamW(trainable, lr=lr, weight_decay=wd)
    raise ValueError(f"opt_name: {hp['opt_name']!r} is not one of {', '.join(OPTIMIZERS)}")


def learning_rate_factor(hp: dict[str, Any], epoch: float, total_epochs: int) -> float:
    """Multiplier on the base rate at a fractional epoch (0-based): warm-up, then the schedule."""
    warmup = float(hp.get("opt_learning_rate_warmup_epochs", 0))
    if epoch < warmup:
        # Linear warm-up from a small but non-zero rate, as the reference detection code does.
        return max(epoch / warmup, 1e-3)
    schedule = hp.get("opt_learning_rate_schedule", "constant")
    if schedule == "step":
        passed = sum(1 for b in hp.get("opt_learning_rate_decay_boundary_epochs", []) if epoch >= b)
        return float(hp.get("opt_learning_rate_decay_factor", DEFAULT_DECAY_FACTOR)) ** passed
    if schedule == "cosine":
        span = max(total_epochs - warmup, 1e-9)
        return 0.5 * (1.0 + math.cos(math.pi * min((epoch - warmup) / span, 1.0)))
    return 1.0


def logged_hyperparameters(hp: dict[str, Any]) -> dict[str, Any]:
    """The MLLOG point events besides global_batch_size, which has its own required line."""
    return {k: v for k, v in sorted(hp.items()) if k != "global_batch_size"}
