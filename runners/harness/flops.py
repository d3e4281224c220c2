"""Per-sample training FLOPs, counted by PyTorch's FlopCounterMode."""

from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode

from .trainer import seed_everything
from .workloads import Workload


def per_sample_training_flops(workload: Workload, device: torch.device, seed: int = 0) -> float:
    """Forward plus backward FLOPs of one training sample at the profile's input size.

    Counted on a two-sample batch and halved: BatchNorm refuses a batch of one in training mode
    when a late stage's feature map is 1x1, and the count is linear in the batch size.
    """
    seed_everything(seed)
    model = workload.make_model().to(device).train()
    with FlopCounterMode(display=False) as counter:
        loss, count = workload.train_loss(model, workload.flops_batch(), device)
        loss.backward()
    flops = counter.get_total_flops()
    if flops <= 0:
        raise RuntimeError("FlopCounterMode counted no FLOPs; the model runs no countable operators")
    return flops / count
