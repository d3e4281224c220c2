"""Detection data: boxes drawn into tensors (smoke), extreme-weather .npz, VOC XML and COCO JSON.

A sample is (image: float tensor C x H x W, target: {"boxes": N x 4 xyxy, "labels": N,
"difficult": N bool}); labels count from 1 because torchvision detectors reserve 0.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 - annotations come from the operator's own data disk
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset
from torchvision.io import ImageReadMode, decode_image

VOC_CLASSES = (
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable",
    "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
)  # fmt: skip

Sample = tuple[torch.Tensor, dict[str, torch.Tensor]]


def collate(batch: list[Sample]) -> tuple[list[torch.Tensor], list[dict[str, torch.Tensor]]]:
    return [image for image, _ in batch], [target for _, target in batch]


def _target(
    boxes: list[list[float]], labels: list[int], difficult: list[bool] | None = None
) -> dict[str, torch.Tensor]:
    return {
        "boxes": torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
        "labels": torch.tensor(labels, dtype=torch.int64),
        "difficult": torch.tensor(difficult or [False] * len(labels), dtype=torch.bool),
    }


class SyntheticBoxes(Dataset):
    """Rectangles of raised values on a noisy background; the class picks the lit channels.

    Channels are split into one group per class, so the class is visible in the data (as a
    cyclone shows in certain weather variables) and the boxes are exact ground truth.
    """

    def __init__(self, samples: int, channels: int, size: int, classes: int, seed: int, max_objects: int = 2):
        gen = torch.Generator().manual_seed(seed)
        self.items: list[Sample] = [
            self._sample(gen, channels, size, classes, max_objects) for _ in range(samples)
        ]

    @staticmethod
    def _sample(gen: torch.Generator, channels: int, size: int, classes: int, max_objects: int) -> Sample:
        image = 0.1 * torch.randn(channels, size, size, generator=gen)
        group = channels // classes
        boxes, labels = [], []
        for _ in range(int(torch.randint(1, max_objects + 1, (1,), generator=gen))):
            w, h = (int(v) for v in torch.randint(size // 3, size // 2 + 1, (2,), generator=gen))
            x, y = (
                int(torch.randint(0, size - w + 1, (1,), generator=gen)),
                int(torch.randint(0, size - h + 1, (1,), generator=gen)),
            )
            label = int(torch.randint(1, classes + 1, (1,), generator=gen))
            image[(label - 1) * group : label * group, y : y + h, x : x + w] += 1.0
            boxes.append([float(x), float(y), float(x + w), float(y + h)])
            labels.append(label)
        return image, _target(boxes, labels)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Sample:
        return self.items[index]


class WeatherNpz(Dataset):
    """Extreme weather: split/index.json lists samples; each sample is one .npz file.

    index.json: {"channels": 16, "classes": [...], "mean": [16 floats], "std": [16 floats],
    "samples": [{"file": "x.npz", "boxes": [[x1, y1, x2, y2], ...], "labels": [1..4]}]};
    each .npz holds "image", a float32 array of channels x 768 x 1152.
    """

    def __init__(self, split_dir: Path):
        self.dir = split_dir
        self.index: dict[str, Any] = json.loads((split_dir / "index.json").read_text())

    def __len__(self) -> int:
        return len(self.index["samples"])

    def __getitem__(self, i: int) -> Sample:
        entry = self.index["samples"][i]
        with np.load(self.dir / entry["file"]) as data:
            image = torch.from_numpy(np.asarray(data["image"], dtype=np.float32))
        return image, _target(entry["boxes"], entry["labels"])


class VocDetection(Dataset):
    """VOCdevkit/VOC2007: ImageSets/Main/<split>.txt, Annotations/<id>.xml, JPEGImages/<id>.jpg."""

    def __init__(self, root: Path, split: str, flip: bool):
        self.root, self.flip = root, flip
        self.ids = (root / "ImageSets" / "Main" / f"{split}.txt").read_text().split()

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> Sample:
        tree = ET.parse(self.root / "Annotations" / f"{self.ids[i]}.xml")  # noqa: S314 - operator data
        boxes, labels, difficult = [], [], []
        for obj in tree.getroot().iter("object"):
            bb = obj.find("bndbox")
            assert bb is not None
            boxes.append(
                [
                    float(bb.findtext(k) or 0) - (k in ("xmin", "ymin"))
                    for k in ("xmin", "ymin", "xmax", "ymax")
                ]
            )
            labels.append(VOC_CLASSES.index((obj.findtext("name") or "").strip()) + 1)
            difficult.append(obj.findtext("difficult") == "1")
        image = _read_image(self.root / "JPEGImages" / f"{self.ids[i]}.jpg")
        return _maybe_flip(image, _target(boxes, labels, difficult), self.flip)


class CocoDetection(Dataset):
    """COCO: annotations/instances_<split>.json and images under <split>/; crowd boxes are skipped."""

    def __init__(self, root: Path, split: str, flip: bool):
        self.root, self.split, self.flip = root, split, flip
        data = json.loads((root / "annotations" / f"instances_{split}.json").read_text())
        self.category = {
            c["id"]: n for n, c in enumerate(sorted(data["categories"], key=lambda c: c["id"]), 1)
        }
        self.images = {im["id"]: im["file_name"] for im in data["images"]}
        self.boxes: dict[int, list[tuple[list[float], int]]] = {i: [] for i in self.images}
        for ann in data["annotations"]:
            if not ann.get("iscrowd"):
                x, y, w, h = ann["bbox"]
                self.boxes[ann["image_id"]].append(([x, y, x + w, y + h], self.category[ann["category_id"]]))
        self.ids = sorted(i for i, found in self.boxes.items() if found)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> Sample:
        image_id = self.ids[i]
        found = self.boxes[image_id]
        image = _read_image(self.root / self.split / self.images[image_id])
        return _maybe_flip(image, _target([b for b, _ in found], [c for _, c in found]), self.flip)


def _read_image(path: Path) -> torch.Tensor:
    return decode_image(str(path), mode=ImageReadMode.RGB).float() / 255.0


def _maybe_flip(image: torch.Tensor, target: dict[str, torch.Tensor], flip: bool) -> Sample:
    """Random horizontal flip, the references' only training augmentation."""
    if flip and torch.rand(()) < 0.5:
        width = image.shape[-1]
        image = image.flip(-1)
        boxes = target["boxes"].clone()
        boxes[:, [0, 2]] = width - target["boxes"][:, [2, 0]]
        target = {**target, "boxes": boxes}
    return image, target
