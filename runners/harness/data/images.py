"""Image classification data: class-conditional patterns (smoke) and ImageFolder (ImageNet)."""

from __future__ import annotations

from pathlib import Path

import torch
from torch.utils.data import Dataset, TensorDataset
from torchvision import datasets, transforms

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def pattern_images(
    samples: int, classes: int, size: int, seed: int, noise: float = 0.5, pattern_seed: int = 20261
) -> TensorDataset:
    """Each class is a fixed random pattern; a sample is its class's pattern plus noise.

    The patterns come from their own generator (not `seed`), so a train and an eval set made with
    different seeds share their classes: the ground truth is exact and a model can learn it.
    """
    patterns = torch.randn(classes, 3, size, size, generator=torch.Generator().manual_seed(pattern_seed))
    gen = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, classes, (samples,), generator=gen)
    images = patterns[labels] + noise * torch.randn(samples, 3, size, size, generator=gen)
    return TensorDataset(images, labels)


def image_folder(root: Path, train: bool, size: int = 224) -> Dataset:
    """ImageNet in ImageFolder layout: root/train/<wnid>/*.JPEG and root/val/<wnid>/*.JPEG."""
    normalize = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)
    if train:
        steps = [transforms.RandomResizedCrop(size), transforms.RandomHorizontalFlip()]
    else:
        steps = [transforms.Resize(int(size * 256 / 224)), transforms.CenterCrop(size)]
    split = root / ("train" if train else "val")
    if not split.is_dir():
        raise FileNotFoundError(f"ImageNet split {split} not found (expected ImageFolder layout)")
    return datasets.ImageFolder(split, transforms.Compose([*steps, transforms.ToTensor(), normalize]))
