"""The MLLOG keys MLPerf's compliance checker asks of a run besides its own timed events.

What each key says of our runs is in docs/runners.md (MLPerf's compliance checker); the values
are facts of the job (who ran it, where, how it trained), never placeholders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from mlperf_logging.mllog import constants as mlc

from .hyperparameters import DEFAULT_DECAY_FACTOR

CLOSED, OPEN = "closed", "open"
# MLPerf's submission_status for the catalogue's availability categories: a system that is
# available is one the submitter runs itself.
STATUS = {"available": "onprem", "preview": "preview", "research": "research"}
# The bundle's file that holds the run's configuration (docs/bundle-format.md).
CONFIG_FILENAME = "hyperparameters.json"
_PRECISION = {"fp32": "fp32", "bf16": "bfloat16", "fp16": "fp16"}


@dataclass(frozen=True)
class Disclosure:
    """Who ran the job, on what, and in which MLPerf division its configuration falls."""

    organization: str
    platform: str  # system.json's system_name
    division: str  # CLOSED: the reference configuration (division()); OPEN otherwise
    status: str  # MLPerf's submission_status (STATUS)
    device_type: str  # where the model trains: cpu or cuda


def division(*, level: str, profile: str, hp: dict[str, Any], reference: dict[str, Any]) -> str:
    """closed where the job runs the reference configuration: the hardware level (the reference
    model), the full profile (the data set) and exactly the reference hyper-parameters."""
    return CLOSED if level == "hardware" and profile == "full" and hp == reference else OPEN


def submission_keys(disclosure: Disclosure) -> dict[str, Any]:
    return {
        mlc.SUBMISSION_ORG: disclosure.organization,
        mlc.SUBMISSION_PLATFORM: disclosure.platform,
        mlc.SUBMISSION_DIVISION: disclosure.division,
        mlc.SUBMISSION_STATUS: disclosure.status,
    }


@dataclass(frozen=True)
class Shape:
    """How a run trains: the processes, the training set, the epoch limit, the device."""

    world_size: int
    train_samples: int
    epochs: int
    device_type: str


def setup_keys(hp: dict[str, Any], shape: Shape) -> dict[str, Any]:
    """The run's configuration as the checker names it, logged between init_start and init_stop."""
    per_process = hp["global_batch_size"] // shape.world_size
    linear = _linear_precision(hp.get("precision", "fp32"), shape.device_type)
    keys: dict[str, Any] = {
        mlc.GRADIENT_ACCUMULATION_STEPS: 1,  # every step applies its own batch's gradients
        mlc.LOWEST_NUMERICAL_PRECISION_IN_LINEAR: linear,
        # The models have no attention: any would run as the linear layers do.
        mlc.LOWEST_NUMERICAL_PRECISION_IN_ATTN: linear,
        # Gradients are all-reduced in the parameters' type, which autocast leaves fp32.
        mlc.LOWEST_NUMERICAL_PRECISION_IN_COMM: "fp32",
        # Data parallelism only: one whole model per process.
        mlc.TENSOR_PARALLELISM: 1,
        mlc.PIPELINE_PARALLELISM: 1,
        mlc.CONTEXT_PARALLELISM: 1,
        mlc.EXPERT_PARALLELISM: 1,
        mlc.MICRO_BATCH_SIZE: per_process,
        mlc.CONFIG_FILENAME: CONFIG_FILENAME,
        # BatchNorm is not synchronised across processes: its statistics span one process's batch.
        mlc.MODEL_BN_SPAN: per_process,
    }
    if hp["opt_name"] == "sgd":
        steps = math.ceil(math.ceil(shape.train_samples / shape.world_size) / per_process)
        keys.update(_sgd_keys(hp, steps, shape.epochs))
    keys.setdefault(mlc.OPT_LR_WARMUP_EPOCHS, hp.get("opt_learning_rate_warmup_epochs", 0))
    return keys


def _linear_precision(precision: str, device_type: str) -> str:
    # PyTorch runs fp32 convolutions (and, where allowed, matrix products) in TF32 on GPUs.
    tf32 = torch.backends.cudnn.allow_tf32 or torch.backends.cuda.matmul.allow_tf32
    return "tf32" if precision == "fp32" and device_type == "cuda" and tf32 else _PRECISION[precision]


def _sgd_keys(hp: dict[str, Any], steps_per_epoch: int, epochs: int) -> dict[str, Any]:
    """MLPerf's SGD keys, which describe a polynomial decay, for the harness's schedules.

    `steps_per_epoch`: each process's share of the training set (DistributedSampler pads the
    shares to one size) in batches, the last one kept. The end rate is the rate after the
    schedule's last change, to 12 significant digits; the decay steps are the training
    steps at which a step schedule decays (the steps a cosine schedule decays over). Only the
    constant schedule is polynomial (power 0); for the others the power is null.
    """
    base = hp["opt_base_learning_rate"]
    schedule = hp.get("opt_learning_rate_schedule", "constant")
    warmup = float(hp.get("opt_learning_rate_warmup_epochs", 0))
    power: int | None = 0
    steps: int | list[int] = 0
    end = base
    if schedule == "step":
        boundaries = list(hp.get("opt_learning_rate_decay_boundary_epochs", []))
        end = base * float(hp.get("opt_learning_rate_decay_factor", DEFAULT_DECAY_FACTOR)) ** len(boundaries)
        power, steps = None, [round(epoch * steps_per_epoch) for epoch in boundaries]
    elif schedule == "cosine":
        end, power, steps = 0.0, None, round(max(epochs - warmup, 0) * steps_per_epoch)
    return {
        "sgd_opt_base_learning_rate": base,
        "sgd_opt_end_learning_rate": float(f"{end:.12g}"),
        "sgd_opt_learning_rate_decay_poly_power": power,
        "sgd_opt_learning_rate_decay_steps": steps,
        "sgd_opt_weight_decay": hp.get("opt_weight_decay", 0.0),
        "sgd_opt_momentum": hp.get("opt_momentum", 0.0),
    }
