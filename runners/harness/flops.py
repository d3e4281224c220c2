"""Training FLOPs, counted by PyTorch's FlopCounterMode: the one place the harness counts them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from .trainer import seed_everything
from .workloads import Workload

FLOPS_BATCH_SAMPLES = 2  # every workload's flops_batch() holds two samples


def training_flops(step: Callable[[], torch.Tensor]) -> float:
    """Forward plus backward FLOPs of one training step: `step` returns the loss to back-propagate."""
    with FlopCounterMode(display=False) as counter:
        step().backward()
    flops = counter.get_total_flops()
    if flops <= 0:
        raise RuntimeError("FlopCounterMode counted no FLOPs; the model runs no countable operators")
    return float(flops)


def per_sample_training_flops(workload: Workload, device: torch.device, seed: int = 0) -> float:
    """Forward plus backward FLOPs of one training sample at the profile's input size.

    Counted on a two-sample batch and halved: BatchNorm refuses a batch of one in training mode
    when a late stage's feature map is 1x1, and the count is linear in the batch size.
    """
    seed_everything(seed)
    model = workload.make_model().to(device).train()
    count: list[int] = []

    def step() -> torch.Tensor:
        loss, samples = workload.train_loss(model, workload.flops_batch(), device)
        count.append(samples)
        return loss

    return training_flops(step) / count[0]


def output_sum(output: Any) -> torch.Tensor:
    """Every differentiable tensor in a model's output, summed: a loss for counting FLOPs.

    FlopCounterMode counts matrix products and convolutions, not a loss's own arithmetic, so
    back-propagating this counts the same FLOPs as the workload's loss on the same call.
    """
    tensors = list(_differentiable(output))
    if not tensors:
        raise RuntimeError("the model's output holds nothing to back-propagate")
    return torch.stack([tensor.sum() for tensor in tensors]).sum()


def _differentiable(output: Any) -> Iterator[torch.Tensor]:
    if isinstance(output, torch.Tensor):
        if output.requires_grad and output.is_floating_point():
            yield output
        return
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, list | tuple):
        for part in output:
            yield from _differentiable(part)
