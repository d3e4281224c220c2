"""Model builders: torchvision ResNets and Faster R-CNNs, Caser, and free-level model code."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import torch
import torchvision
from torch import nn
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead

# A state_dict for the detection backbone's ResNet body (the references start from ImageNet
# weights); hosts cannot download, so operators place the file and name it here.
BACKBONE_WEIGHTS_ENV = "BENCHCOUNCIL_DETECTION_BACKBONE"

# Smoke only: fewer sampled anchors and regions and a narrower box head, so that the
# detector trains on a CPU in seconds. The network's layers are otherwise the reference's.
SMOKE_DETECTOR_KWARGS: dict[str, Any] = {
    "rpn_pre_nms_top_n_train": 200,
    "rpn_post_nms_top_n_train": 100,
    "rpn_pre_nms_top_n_test": 100,
    "rpn_post_nms_top_n_test": 50,
    "rpn_batch_size_per_image": 32,
    "box_batch_size_per_image": 16,
    "box_detections_per_img": 20,
}
SMOKE_BOX_HEAD_WIDTH = 256


def build_classifier(name: str, num_classes: int, in_channels: int = 3) -> nn.Module:
    # zero_init_residual: ResNet-50 v1.5 as MLPerf trains it (last BN of each block starts at 0).
    model = getattr(torchvision.models, name)(weights=None, num_classes=num_classes, zero_init_residual=True)
    if in_channels != 3:
        model.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return model


def build_detector(
    name: str,
    num_classes: int,
    in_channels: int,
    image_size: tuple[int, int],
    mean: list[float],
    std: list[float],
    smoke: bool,
) -> nn.Module:
    """A torchvision Faster R-CNN; num_classes counts the background."""
    short, long = min(image_size), max(image_size)
    kwargs: dict[str, Any] = {"min_size": short, "max_size": long, "image_mean": mean, "image_std": std}
    if smoke:
        kwargs.update(SMOKE_DETECTOR_KWARGS)
    if name == "fasterrcnn_resnet101_fpn":
        backbone = resnet_fpn_backbone(backbone_name="resnet101", weights=None, trainable_layers=5)
        _load_backbone_weights(backbone.body)
        model = FasterRCNN(backbone, num_classes=num_classes, **kwargs)
    else:
        factory = getattr(torchvision.models.detection, name)
        model = factory(weights=None, weights_backbone=None, num_classes=num_classes, **kwargs)
    if smoke:
        resolution = model.roi_heads.box_roi_pool.output_size[0]
        width = SMOKE_BOX_HEAD_WIDTH
        model.roi_heads.box_head = TwoMLPHead(model.backbone.out_channels * resolution**2, width)
        model.roi_heads.box_predictor = FastRCNNPredictor(width, num_classes)
    if in_channels != 3:
        _adapt_first_conv(model, in_channels)
    return model


def _adapt_first_conv(model: nn.Module, in_channels: int) -> None:
    """Replace the backbone's stem convolution to take in_channels inputs."""
    # nn.Module's attribute access is typed Tensor | Module: name what a detector holds.
    body = cast(nn.Module, cast(nn.Module, model.backbone).body)
    if hasattr(body, "conv1"):
        body.conv1 = _conv_taking(cast(nn.Conv2d, body.conv1), in_channels)
        return
    stem = cast(nn.Sequential, cast(nn.ModuleDict, body)["0"])  # MobileNetV3: features[0] is Conv-BN-act
    stem[0] = _conv_taking(cast(nn.Conv2d, stem[0]), in_channels)


def _conv_taking(old: nn.Conv2d, in_channels: int) -> nn.Conv2d:
    """`old`'s geometry, bias-free, taking in_channels inputs."""
    # A Conv2d keeps 2-tuples, which torch types only as tuple[int, ...].
    kernel_size = cast(tuple[int, int], old.kernel_size)
    stride = cast(tuple[int, int], old.stride)
    padding = cast("str | tuple[int, int]", old.padding)
    return nn.Conv2d(in_channels, old.out_channels, kernel_size, stride, padding, bias=False)


def _load_backbone_weights(body: nn.Module) -> None:
    path = os.environ.get(BACKBONE_WEIGHTS_ENV)
    if not path:
        return
    state = torch.load(path, map_location="cpu", weights_only=True)
    body.load_state_dict({k: v for k, v in state.items() if not k.startswith("fc.")}, strict=False)


class Caser(nn.Module):
    """Caser (Tang and Wang, WSDM 2018), the model the ranking-distillation reference trains.

    Horizontal convolutions of heights 1..L and a vertical convolution over the last L item
    embeddings, joined with a user embedding, score candidate items.
    """

    def __init__(
        self,
        num_users: int,
        num_items: int,
        sequence_length: int = 5,
        dims: int = 50,
        n_v: int = 4,
        n_h: int = 16,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        self.user_embeddings = nn.Embedding(num_users, dims)
        self.item_embeddings = nn.Embedding(num_items + 1, dims, padding_idx=0)  # 0 pads short histories
        self.conv_v = nn.Conv2d(1, n_v, (sequence_length, 1))
        self.conv_h = nn.ModuleList(nn.Conv2d(1, n_h, (i, dims)) for i in range(1, sequence_length + 1))
        self.fc1 = nn.Linear(n_v * dims + n_h * sequence_length, dims)
        self.dropout = nn.Dropout(dropout)
        self.W2 = nn.Embedding(num_items + 1, 2 * dims)
        self.b2 = nn.Embedding(num_items + 1, 1)
        for embedding in (self.user_embeddings, self.item_embeddings, self.W2):
            nn.init.normal_(embedding.weight, std=1.0 / dims)
        nn.init.zeros_(self.b2.weight)

    def forward(self, sequences: torch.Tensor, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Scores of items (B x K) for each user's last L items (B x L)."""
        embedded = self.item_embeddings(sequences).unsqueeze(1)  # B x 1 x L x d
        # One list of features, typed, so that torch.jit.script takes the model as it is.
        features: list[torch.Tensor] = [self.conv_v(embedded).flatten(1)]
        for conv in self.conv_h:
            out = torch.relu(conv(embedded).squeeze(3))  # B x n_h x (L - h + 1)
            features.append(torch.nn.functional.max_pool1d(out, out.size(2)).squeeze(2))
        z = torch.relu(self.fc1(self.dropout(torch.cat(features, 1))))
        x = torch.cat([z, self.user_embeddings(users)], 1).unsqueeze(2)  # B x 2d x 1
        return torch.baddbmm(self.b2(items), self.W2(items), x).squeeze(2)


def load_model_code(path: str | Path) -> Callable[..., nn.Module]:
    """Import a free-level model file and return its build_model; runs inside the sandbox only."""
    spec = importlib.util.spec_from_file_location("submitted_model", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot import model code from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    build = getattr(module, "build_model", None)
    if not callable(build):
        raise ValueError(f"{path} defines no build_model(...) function")
    return build
