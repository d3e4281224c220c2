"""ResNet image classification, scored by top-1 accuracy."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from ..data.images import image_folder, pattern_images
from ..metrics import top1_accuracy
from ..networks import build_classifier
from .base import Context, Quality, StopCheck, Workload, require_data_root

# Smoke: 16x16 inputs keep ResNet-50 at about 0.19 GFLOPs a sample, so a 2-core CPU trains a
# batch of 256 in about two seconds; ten patterns are learnt within the first epoch.
SMOKE_CLASSES, SMOKE_SIZE, SMOKE_TRAIN, SMOKE_EVAL = 10, 16, 512, 256
EVAL_BATCH = 256


def build(context: Context) -> Workload:
    if context.smoke:
        train_seed, eval_seed, patterns = context.smoke_seeds()
        train_set: Dataset = pattern_images(
            SMOKE_TRAIN, SMOKE_CLASSES, SMOKE_SIZE, train_seed, pattern_seed=patterns
        )
        eval_set: Dataset = pattern_images(
            SMOKE_EVAL, SMOKE_CLASSES, SMOKE_SIZE, eval_seed, pattern_seed=patterns
        )
        classes, size, workers = SMOKE_CLASSES, SMOKE_SIZE, 0
    else:
        root = require_data_root(context, "imagenet")
        train_set, eval_set = image_folder(root, train=True), image_folder(root, train=False)
        classes, size, workers = len(train_set.classes), 224, 8  # type: ignore[attr-defined]

    model_kwargs = {"num_classes": classes, "in_channels": 3}
    return Workload(
        model_label=context.model_label,
        make_model=context.model_maker(model_kwargs, lambda: build_classifier(context.model_name, classes)),
        train_set=train_set,
        eval_set=eval_set,
        train_loss=train_loss,
        evaluate=_evaluate,
        flops_batch=lambda: (torch.randn(2, 3, size, size), torch.tensor([0, 1])),
        smoke_epochs=3,
        num_workers=workers,
        model_kwargs=model_kwargs,
    )


def train_loss(model: nn.Module, batch: Any, device: torch.device) -> tuple[torch.Tensor, int]:
    images, labels = batch[0].to(device, non_blocking=True), batch[1].to(device, non_blocking=True)
    return nn.functional.cross_entropy(model(images), labels), len(labels)


@torch.no_grad()
def _evaluate(model: nn.Module, eval_set: Dataset, device: torch.device, stop: StopCheck) -> Quality | None:
    predicted: list[int] = []
    actual: list[int] = []
    for images, labels in DataLoader(eval_set, batch_size=EVAL_BATCH):
        if stop():
            return None
        predicted += model(images.to(device)).argmax(1).tolist()
        actual += labels.tolist()
    return Quality(top1_accuracy(predicted, actual))
