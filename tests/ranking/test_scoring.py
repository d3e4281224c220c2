"""Scores from runs, against values computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest

from ranking.scoring import Rules, RunFigures, aggregate, score_submission

# Round numbers: 1e9 FLOPs per sample x 1e6 samples = 1e15 FLOPs per run.
VF = Rules(
    ranking_metric="valid_flops",
    target_quality=0.8,
    vflops_exponent=5,
    per_sample_training_flops=1e9,
    model_may_change=False,
    required_runs=5,
)
TTQ = Rules(
    ranking_metric="time_to_quality",
    target_quality=0.75,
    vflops_exponent=None,
    per_sample_training_flops=1e9,
    model_may_change=False,
    required_runs=5,
)


def run(
    quality: float | None, time_s: float, *, converged: bool = True, ttq: float | None = None
) -> RunFigures:
    return RunFigures(
        achieved_quality=quality,
        time_to_train_s=time_s,
        time_to_quality_s=ttq if converged else None,
        samples_processed=1_000_000,
        converged=converged,
    )


# FLOPS = 1e15 / time; VFLOPS = FLOPS x (q / 0.8) ** 5
FIVE_RUNS = [
    run(0.80, 1000),  # 1e12 x 1        = 1e12
    run(0.80, 500),  # 2e12 x 1         = 2e12   (best: dropped)
    run(0.40, 1000, converged=False),  # 1e12 x 0.5**5 = 3.125e10 (missed target: penalised, worst: dropped)
    run(0.88, 1000),  # 1e12 x 1.1**5   = 1.61051e12 (above target: scores more)
    run(0.80, 800),  # 1.25e12 x 1      = 1.25e12
]


def test_it_computes_valid_flops_with_the_olympic_mean() -> None:
    score = score_submission(VF, FIVE_RUNS)
    assert score.ranked
    # (1e12 + 1.25e12 + 1.61051e12) / 3
    assert score.value == pytest.approx(1.2868366667e12)
    assert score.runs_counted == 3
    assert score.runs_total == 5
    assert score.runs_converged == 4


def test_it_keeps_the_spread_of_all_runs() -> None:
    score = score_submission(VF, FIVE_RUNS)
    assert score.minimum == pytest.approx(3.125e10)
    assert score.maximum == pytest.approx(2e12)
    # mean 1.178352e12; squared deviations (1e24) .031809 .675105 1.315843 .186761 .005133,
    # sum 2.214651 / 4 = .553663, sqrt .744086 / 1.178352
    assert score.cv == pytest.approx(0.63146, rel=1e-4)


def test_it_penalises_a_run_that_misses_its_target_instead_of_dropping_it() -> None:
    rules = Rules(**{**VF.__dict__, "aggregation": "mean"})
    score = score_submission(rules, FIVE_RUNS)
    # (1e12 + 2e12 + 3.125e10 + 1.61051e12 + 1.25e12) / 5
    assert score.value == pytest.approx(1.178352e12)
    assert score.runs_counted == 5


def test_it_raises_the_score_above_target_unless_the_quality_is_capped() -> None:
    uncapped = score_submission(Rules(**{**VF.__dict__, "required_runs": 1}), [run(0.88, 1000)])
    capped = score_submission(
        Rules(**{**VF.__dict__, "required_runs": 1, "quality_cap": True}), [run(0.88, 1000)]
    )
    assert uncapped.value == pytest.approx(1.61051e12)
    assert capped.value == pytest.approx(1e12)
    # Capped, run 4 scores 1e12: olympic mean of 1e12, 1e12, 1.25e12
    five = score_submission(Rules(**{**VF.__dict__, "quality_cap": True}), FIVE_RUNS)
    assert five.value == pytest.approx(3.25e12 / 3)


def test_it_scores_a_catalogue_benchmark_from_its_constant() -> None:
    rules = Rules(
        **{**VF.__dict__, "target_quality": 0.763, "per_sample_training_flops": 2.43e10, "required_runs": 1}
    )
    figures = RunFigures(
        achieved_quality=0.70,
        time_to_train_s=3600,
        time_to_quality_s=None,
        samples_processed=1281167 * 90,
        converged=False,
    )
    # 2.43e10 x 115,305,030 / 3600 = 7.783089525e14 FLOPS; x (0.70 / 0.763) ** 5 = x 0.649932
    score = score_submission(rules, [figures], submitted_per_sample_flops=9e99)
    assert score.flops == pytest.approx(7.783089525e14)
    assert score.value == pytest.approx(5.058474e14, rel=1e-6)


def test_it_takes_the_per_sample_flops_from_the_submission_where_the_model_may_change() -> None:
    free = Rules(**{**VF.__dict__, "model_may_change": True, "required_runs": 1})
    score = score_submission(free, [run(0.8, 1000)], submitted_per_sample_flops=2e9)
    assert score.value == pytest.approx(2e12)  # 2e9 x 1e6 / 1000
    missing = score_submission(free, [run(0.8, 1000)], submitted_per_sample_flops=None)
    assert not missing.ranked
    assert "per-sample" in missing.reason


def test_it_does_not_rank_a_submission_with_too_few_runs() -> None:
    score = score_submission(VF, FIVE_RUNS[:4])
    assert not score.ranked
    assert score.reason == "4 run(s); 5 required"


def test_it_does_not_rank_a_run_without_a_training_time() -> None:
    runs = [*FIVE_RUNS[:4], RunFigures(0.8, None, None, 1_000_000, True)]
    score = score_submission(VF, runs)
    assert not score.ranked
    assert "training time" in score.reason


def test_it_tolerates_one_unconverged_run_in_time_to_quality_with_the_olympic_mean() -> None:
    runs = [
        run(0.76, 900, ttq=600),
        run(0.76, 900, ttq=700),
        run(0.76, 900, ttq=800),
        run(0.70, 900, converged=False),  # infinite time: the dropped worst run
        run(0.76, 900, ttq=650),
    ]
    score = score_submission(TTQ, runs)
    assert score.ranked
    assert score.value == pytest.approx((650 + 700 + 800) / 3)
    assert score.time_s == score.value
    assert score.runs_converged == 4
    # spread over the converged runs: 600..800, stdev 88.976 / mean 687.5
    assert (score.minimum, score.maximum) == (600, 800)
    assert score.cv == pytest.approx(0.124205, rel=1e-5)


def test_it_does_not_rank_time_to_quality_when_two_runs_did_not_converge() -> None:
    runs = [
        run(0.76, 900, ttq=600),
        run(0.70, 900, converged=False),
        run(0.76, 900, ttq=800),
        run(0.70, 900, converged=False),
        run(0.76, 900, ttq=650),
    ]
    score = score_submission(TTQ, runs)
    assert not score.ranked
    assert score.reason == "only 3 of 5 runs reached the target (olympic mean)"


def test_it_requires_every_run_to_converge_under_the_plain_mean() -> None:
    rules = Rules(**{**TTQ.__dict__, "aggregation": "mean", "required_runs": 2})
    assert not score_submission(rules, [run(0.76, 900, ttq=600), run(0.7, 900, converged=False)]).ranked
    assert score_submission(rules, [run(0.76, 900, ttq=600), run(0.76, 900, ttq=700)]).value == 650


def test_it_aggregates_by_the_named_method() -> None:
    assert aggregate([5, 1, 3, 2, 4], "olympic_mean") == (3, 3)
    assert aggregate([1, 2], "olympic_mean") == (1.5, 2)  # under 3 runs nothing is dropped
    assert aggregate([4, 1, 3], "median") == (3, 1)
    assert aggregate([4, 1, 3, 2], "median") == (2.5, 2)
    assert aggregate([1, 2, 6], "mean") == (3, 3)
    assert aggregate([1, math.inf, 2, 3], "olympic_mean") == (2.5, 2)
