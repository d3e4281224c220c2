"""Faster R-CNN detection: extreme weather (16 channels) and VOC/COCO, scored by mAP@IoU0.5."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from ..data.detection import VOC_CLASSES, CocoDetection, SyntheticBoxes, VocDetection, WeatherNpz, collate
from ..metrics import Detections, GroundTruth, mean_average_precision
from ..networks import build_detector
from .base import Context, Quality, StopCheck, Workload, require_data_root

SMOKE_SIZE, SMOKE_TRAIN, SMOKE_EVAL = 48, 64, 32
EVAL_BATCH = 8


@dataclass(frozen=True)
class Shape:
    channels: int
    classes: int  # object classes, without the background
    height: int
    width: int
    mean: list[float]
    std: list[float]
    eleven_point: bool  # VOC2007's 11-point AP; the others integrate all points


def build(context: Context) -> Workload:
    train_set, eval_set, shape = _data(context)

    model_kwargs = {"num_classes": shape.classes + 1, "in_channels": shape.channels}

    def reference() -> nn.Module:
        return build_detector(
            context.model_name, shape.classes + 1, shape.channels, (shape.height, shape.width),
            shape.mean, shape.std, smoke=context.smoke,
        )  # fmt: skip

    def evaluate(model: nn.Module, data: Dataset, device: torch.device, stop: StopCheck) -> Quality | None:
        return _evaluate(model, data, device, stop, shape.eleven_point)

    return Workload(
        model_label=context.model_label,
        make_model=context.model_maker(model_kwargs, reference),
        train_set=train_set,
        eval_set=eval_set,
        train_loss=train_loss,
        evaluate=evaluate,
        flops_batch=lambda: collate([_flops_sample(shape), _flops_sample(shape)]),
        smoke_epochs=6,
        collate=collate,
        num_workers=0 if context.smoke else 4,
        model_kwargs=model_kwargs,
    )


def _data(context: Context) -> tuple[Dataset, Dataset, Shape]:
    weather = context.spec.dataset == "extreme-weather"
    if context.smoke:
        channels, classes = (16, 4) if weather else (3, 3)
        shape = Shape(
            channels, classes, SMOKE_SIZE, SMOKE_SIZE, [0.0] * channels, [1.0] * channels, not weather
        )
        train_seed, eval_seed, _ = context.smoke_seeds()
        train = SyntheticBoxes(SMOKE_TRAIN, channels, SMOKE_SIZE, classes, seed=train_seed)
        return train, SyntheticBoxes(SMOKE_EVAL, channels, SMOKE_SIZE, classes, seed=eval_seed), shape
    if weather:
        root = require_data_root(context, "extreme-weather")
        train_w, eval_w = WeatherNpz(root / "train"), WeatherNpz(root / "val")
        index = train_w.index
        shape = Shape(index["channels"], len(index["classes"]), 768, 1152, index["mean"], index["std"], False)
        return train_w, eval_w, shape
    root = require_data_root(context, "object-detection")
    voc = root / "VOCdevkit" / "VOC2007"
    if voc.is_dir():  # reference resolution: shorter side 600, longer at most 1000
        shape = Shape(3, len(VOC_CLASSES), 600, 1000, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], True)
        return VocDetection(voc, "trainval", flip=True), VocDetection(voc, "test", flip=False), shape
    train_c, eval_c = CocoDetection(root, "train2014", flip=True), CocoDetection(root, "val2014", flip=False)
    shape = Shape(3, len(train_c.category), 600, 1000, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], False)
    return train_c, eval_c, shape


def _flops_sample(shape: Shape) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """An input of the profile's size with one box: the FLOPs do not depend on the content."""
    h, w = shape.height, shape.width
    box = torch.tensor([[w / 4, h / 4, w / 2, h / 2]])
    return torch.randn(shape.channels, h, w), {"boxes": box, "labels": torch.tensor([1])}


def train_loss(model: nn.Module, batch: Any, device: torch.device) -> tuple[torch.Tensor, int]:
    images = [image.to(device, non_blocking=True) for image in batch[0]]
    targets = [
        {k: v.to(device, non_blocking=True) for k, v in t.items() if k != "difficult"} for t in batch[1]
    ]
    losses = model(images, targets)
    return sum(losses.values()), len(images)


@torch.no_grad()
def _evaluate(
    model: nn.Module, data: Dataset, device: torch.device, stop: StopCheck, eleven_point: bool
) -> Quality | None:
    found: list[Detections] = []
    truths: list[GroundTruth] = []
    for images, targets in DataLoader(data, batch_size=EVAL_BATCH, collate_fn=collate):
        if stop():
            return None
        for out, t in zip(model([image.to(device) for image in images]), targets, strict=True):
            found.append(Detections(out["boxes"].tolist(), out["labels"].tolist(), out["scores"].tolist()))
            truths.append(GroundTruth(t["boxes"].tolist(), t["labels"].tolist(), t["difficult"].tolist()))
    return Quality(mean_average_precision(found, truths, 0.5, eleven_point))
