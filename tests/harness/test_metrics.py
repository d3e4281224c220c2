from __future__ import annotations

import math

import pytest

from runners.harness.metrics import (
    Detections,
    GroundTruth,
    average_precision,
    iou,
    mean_average_precision,
    ndcg_at_k,
    precision_at_k,
    top1_accuracy,
)

pytestmark = pytest.mark.torch


def test_it_scores_top1() -> None:
    assert top1_accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75


def test_it_computes_iou_by_hand() -> None:
    # Two 2x2 squares overlapping in a 1x2 strip: 2 / (4 + 4 - 2).
    assert iou((0, 0, 2, 2), (1, 0, 3, 2)) == pytest.approx(2 / 6)
    assert iou((0, 0, 1, 1), (2, 2, 3, 3)) == 0.0


def test_it_integrates_all_points() -> None:
    # Hits at ranks 1 and 3 of 3 detections, 2 objects: P/R = (1, .5), (.5, .5), (2/3, 1).
    # Monotone precision: 1 up to recall .5, 2/3 up to 1 -> AP = .5 * 1 + .5 * 2/3.
    ap = average_precision([0.5, 0.5, 1.0], [1.0, 0.5, 2 / 3], eleven_point=False)
    assert ap == pytest.approx(0.5 + 1 / 3)


def test_it_integrates_eleven_points() -> None:
    # Recall thresholds 0..0.5 (6 points) see precision 1, 0.6..1.0 (5 points) see 2/3.
    ap = average_precision([0.5, 0.5, 1.0], [1.0, 0.5, 2 / 3], eleven_point=True)
    assert ap == pytest.approx((6 * 1 + 5 * 2 / 3) / 11)


def test_it_computes_map_by_hand() -> None:
    truths = [
        GroundTruth([(0, 0, 10, 10), (20, 20, 30, 30)], [1, 2]),
        GroundTruth([(0, 0, 10, 10)], [1]),
    ]
    found = [
        # class 1: a hit (0.9), a duplicate of the same object (0.8, false positive)
        Detections([(0, 0, 10, 10), (1, 1, 10, 10), (20, 20, 30, 30)], [1, 1, 2], [0.9, 0.8, 0.3]),
        # class 1: a miss far away (0.7), then the hit (0.6)
        Detections([(50, 50, 60, 60), (0, 0, 10, 10)], [1, 1], [0.7, 0.6]),
    ]
    # class 1 ranked: hit, fp, fp, hit -> P/R (1, .5) (.5, .5) (1/3, .5) (.5, 1) -> AP = .5 + .5*.5 = .75
    # class 2: one hit -> AP 1.  mAP = (.75 + 1) / 2
    assert mean_average_precision(found, truths) == pytest.approx(0.875)


def test_it_ignores_difficult_objects() -> None:
    truths = [GroundTruth([(0, 0, 10, 10), (20, 20, 30, 30)], [1, 1], [False, True])]
    found = [Detections([(20, 20, 30, 30), (0, 0, 10, 10)], [1, 1], [0.9, 0.8])]
    # The difficult hit counts neither way; the other object is found: AP 1.
    assert mean_average_precision(found, truths) == pytest.approx(1.0)


def test_it_gives_zero_map_without_detections() -> None:
    assert mean_average_precision([Detections([], [], [])], [GroundTruth([(0, 0, 1, 1)], [1])]) == 0.0


def test_it_scores_precision_at_k() -> None:
    assert precision_at_k([5, 1, 7, 3], {1, 3, 9}, k=4) == 0.5
    assert precision_at_k([5, 1], {1}, k=10) == 0.1  # divides by k, as the reference does


def test_it_scores_ndcg_at_k() -> None:
    # Relevant at ranks 2 and 3 of 3; two relevant items overall.
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k([4, 1, 2], {1, 2}, k=3) == pytest.approx(dcg / ideal)
    assert ndcg_at_k([1, 2], {1, 2}, k=3) == pytest.approx(1.0)
    assert ndcg_at_k([3], set(), k=3) == 0.0
