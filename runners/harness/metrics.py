"""Quality metrics: top-1, mAP@IoU0.5 (VOC), precision@k and nDCG@k.

Hand-written in plain Python on purpose: they are a few dozen lines each, and a library
(pycocotools, torchmetrics) would add a dependency that the bundle validator and the web tier,
which re-read these figures, do not have. Unit tests pin them to hand-computed values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in pixels


@dataclass(frozen=True)
class Detections:
    boxes: Sequence[Box]
    labels: Sequence[int]
    scores: Sequence[float]


@dataclass(frozen=True)
class GroundTruth:
    boxes: Sequence[Box]
    labels: Sequence[int]
    difficult: Sequence[bool] = field(default=())  # VOC: neither a hit nor a miss


def top1_accuracy(predicted: Sequence[int], actual: Sequence[int]) -> float:
    if len(predicted) != len(actual):
        raise ValueError("predicted and actual differ in length")
    if not actual:
        raise ValueError("no samples to score")
    return sum(p == a for p, a in zip(predicted, actual, strict=True)) / len(actual)


def iou(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def average_precision(recall: Sequence[float], precision: Sequence[float], eleven_point: bool) -> float:
    """Area under the precision-recall curve, as the VOC devkit computes it."""
    if eleven_point:  # VOC2007: mean of the best precision at recall >= 0, 0.1, ..., 1
        points = [t / 10 for t in range(11)]
        return (
            sum(
                max((p for r, p in zip(recall, precision, strict=True) if r >= t), default=0.0)
                for t in points
            )
            / 11
        )
    # VOC2010+: all points, precision made monotone from the right.
    rec = [0.0, *recall, 1.0]
    prec = [0.0, *precision, 0.0]
    for i in range(len(prec) - 2, -1, -1):
        prec[i] = max(prec[i], prec[i + 1])
    return sum((rec[i] - rec[i - 1]) * prec[i] for i in range(1, len(rec)) if rec[i] != rec[i - 1])


def mean_average_precision(
    detections: Sequence[Detections],
    truths: Sequence[GroundTruth],
    iou_threshold: float = 0.5,
    eleven_point: bool = False,
) -> float:
    """mAP over the classes that have at least one (non-difficult) ground-truth box."""
    if len(detections) != len(truths):
        raise ValueError("one Detections per image is needed")
    classes = {label for truth in truths for label in truth.labels}
    aps = [
        ap
        for label in sorted(classes)
        if (ap := _class_ap(detections, truths, label, iou_threshold, eleven_point)) is not None
    ]
    return sum(aps) / len(aps) if aps else 0.0


def _class_ap(
    detections: Sequence[Detections],
    truths: Sequence[GroundTruth],
    label: int,
    threshold: float,
    eleven_point: bool,
) -> float | None:
    gt = [
        [
            (b, bool(t.difficult) and bool(t.difficult[i]))
            for i, (b, lab) in enumerate(zip(t.boxes, t.labels, strict=True))
            if lab == label
        ]
        for t in truths
    ]
    positives = sum(1 for boxes in gt for _, hard in boxes if not hard)
    if positives == 0:
        return None
    found = [
        (score, img, box)
        for img, d in enumerate(detections)
        for box, lab, score in zip(d.boxes, d.labels, d.scores, strict=True)
        if lab == label
    ]
    ranked = sorted(found, key=lambda x: -x[0])  # stable: ties keep image order
    taken = [[False] * len(boxes) for boxes in gt]
    outcomes: list[bool] = []  # per ranked detection: a hit (True) or a false positive
    for _, img, box in ranked:
        overlaps = [iou(box, g) for g, _ in gt[img]]
        best = max(range(len(overlaps)), key=overlaps.__getitem__, default=None)
        if best is None or overlaps[best] < threshold:
            outcomes.append(False)  # no object overlaps it enough: a false positive
            continue
        if gt[img][best][1]:
            continue  # a difficult object: ignored, as in the VOC devkit
        hit = not taken[img][best]
        taken[img][best] = True  # a second detection of the same object is a false positive
        outcomes.append(hit)
    recall, precision, hits = [], [], 0
    for n, hit in enumerate(outcomes, start=1):
        hits += hit
        recall.append(hits / positives)
        precision.append(hits / n)
    return average_precision(recall, precision, eleven_point)


def precision_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    """Share of the top k that is relevant; divides by k even when fewer items are relevant."""
    return sum(1 for item in ranked[:k] if item in relevant) / k


def ndcg_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    """Binary-relevance nDCG: DCG of the top k over the DCG of a perfect ranking."""
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0
