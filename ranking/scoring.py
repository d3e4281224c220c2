"""Scores from validated runs: pure Python, no database, so every rule is unit-testable.

Valid FLOPS (HPC AI500), per run:

    FLOPS  = per-sample training FLOPs x samples processed / time to train
    VFLOPS = FLOPS x (achieved / target) ** n

A run below target is penalised by the power, never dropped; above target it scores more
unless the benchmark sets `quality_cap` (then the ratio is capped at 1). A run with no
achieved quality scores 0.

Time-to-quality (AIBench), per run: the time at which the run first reached the target. A
run that never reached it has an infinite time (MLPerf's reading). The aggregation then
decides: with the olympic mean the slowest run is dropped, so one run that did not converge
is tolerated; a second one leaves an infinite mean and the submission is not ranked. With the
plain mean every run must converge; with the median, more than half.

Aggregation over all of a submission's runs (the validator requires at least the
benchmark's `required_runs`; fewer leaves the submission unranked): `olympic_mean` drops the
single best and the single worst run and averages the rest (a plain mean under 3 runs),
`mean`, `median`. The time and quality shown beside a score are aggregated the same way, each
on its own. The spread (min, max, coefficient of variation = sample standard deviation / mean)
is over the runs' finite scores.

A result imported from a published list (one run per entry, as papers report them) is scored
``as_reported``: ranked with the runs it reports, however few, and with its spread unknown,
since one run says nothing of it. Where such rows stand against results that meet the run
requirement is the benchmark's ``reported_results`` setting (ranking.services).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypedDict

from catalogue import FULL_PROFILE, flops_are_the_submissions

VALID_FLOPS = "valid_flops"
TIME_TO_QUALITY = "time_to_quality"


@dataclass(frozen=True)
class Rules:
    """The scoring rules of one benchmark at one level (from the catalogue's database copy)."""

    ranking_metric: str
    target_quality: float
    vflops_exponent: float | None
    per_sample_training_flops: float
    model_may_change: bool
    required_runs: int
    aggregation: str = "olympic_mean"
    quality_cap: bool = False
    higher_is_better: bool = True
    profile: str = FULL_PROFILE  # the board's: full or smoke


@dataclass(frozen=True)
class RunFigures:
    """What validation derived from one run's log."""

    achieved_quality: float | None
    time_to_train_s: float | None
    time_to_quality_s: float | None
    samples_processed: int | None
    converged: bool


@dataclass(frozen=True)
class Score:
    ranked: bool
    reason: str = ""
    value: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    cv: float | None = None
    flops: float | None = None
    time_s: float | None = None
    quality: float | None = None
    runs_total: int = 0
    runs_converged: int = 0
    runs_counted: int = 0
    # Ranked on fewer runs than the benchmark requires: a published entry, as reported.
    as_reported: bool = False


class _RunCounts(TypedDict):
    """Score's run counts, which every Score of a submission carries."""

    runs_total: int
    runs_converged: int


class Unscorable(ValueError):
    """A run lacks a figure the metric needs; the submission cannot be ranked."""


def aggregate(values: Sequence[float], method: str) -> tuple[float, int]:
    """Return (aggregate, number of values it kept)."""
    if not values:
        raise ValueError("nothing to aggregate")
    ordered = sorted(values)
    if method == "olympic_mean":
        kept = ordered[1:-1] if len(ordered) >= 3 else ordered
        return _mean(kept), len(kept)
    if method == "mean":
        return _mean(ordered), len(ordered)
    if method == "median":
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle], 1
        return _mean(ordered[middle - 1 : middle + 1]), 2
    raise ValueError(f"unknown aggregation {method!r}")


def _mean(values: Sequence[float]) -> float:
    # math.inf stays inf (statistics.mean would raise on it).
    if any(math.isinf(v) for v in values):
        return math.inf
    return math.fsum(values) / len(values)


def spread(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """(min, max, coefficient of variation) of the finite values; CV needs two of them."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return None, None, None
    mean = _mean(finite)
    cv = statistics.stdev(finite) / mean if len(finite) >= 2 and mean else None
    return min(finite), max(finite), cv


def per_sample_flops(rules: Rules, submitted: float | None) -> float | None:
    """The catalogue's constant, unless the model or the input differ: then the submission's."""
    own = flops_are_the_submissions(model_may_change=rules.model_may_change, profile=rules.profile)
    return submitted if own else rules.per_sample_training_flops


def run_flops(run: RunFigures, flops_per_sample: float) -> float:
    if not run.time_to_train_s or run.time_to_train_s <= 0:
        raise Unscorable("a run has no training time")
    if run.samples_processed is None:
        raise Unscorable("a run has no processed-sample count")
    return flops_per_sample * run.samples_processed / run.time_to_train_s


def quality_ratio(rules: Rules, achieved: float | None) -> float:
    if achieved is None or achieved <= 0:
        return 0.0
    ratio = achieved / rules.target_quality if rules.higher_is_better else rules.target_quality / achieved
    return min(ratio, 1.0) if rules.quality_cap else ratio


def run_valid_flops(rules: Rules, run: RunFigures, flops_per_sample: float) -> float:
    return run_flops(run, flops_per_sample) * quality_ratio(rules, run.achieved_quality) ** (
        rules.vflops_exponent or 0
    )


def run_time_to_quality(run: RunFigures) -> float:
    if not run.converged or run.time_to_quality_s is None:
        return math.inf
    return run.time_to_quality_s


def score_submission(
    rules: Rules,
    runs: Sequence[RunFigures],
    submitted_per_sample_flops: float | None = None,
    *,
    as_reported: bool = False,
) -> Score:
    """Score one submission's runs under `rules`; an unranked Score says why.

    ``as_reported`` (a published entry): the runs the source reports are enough to rank.
    """
    total = len(runs)
    converged = sum(1 for r in runs if r.converged)
    counts: _RunCounts = {"runs_total": total, "runs_converged": converged}
    if total == 0 or (total < rules.required_runs and not as_reported):
        return Score(False, f"{total} run(s); {rules.required_runs} required", **counts)
    score = _score_runs(rules, runs, submitted_per_sample_flops, counts)
    if score.ranked and total < rules.required_runs:
        return replace(score, minimum=None, maximum=None, cv=None, as_reported=True)
    return score


def _score_runs(
    rules: Rules, runs: Sequence[RunFigures], submitted_per_sample_flops: float | None, counts: _RunCounts
) -> Score:
    total, converged = counts["runs_total"], counts["runs_converged"]
    flops_per_sample = per_sample_flops(rules, submitted_per_sample_flops)
    try:
        if rules.ranking_metric == VALID_FLOPS:
            if not flops_per_sample:
                return Score(False, "no per-sample training FLOPs for a changed model or input", **counts)
            values = [run_valid_flops(rules, r, flops_per_sample) for r in runs]
        elif rules.ranking_metric == TIME_TO_QUALITY:
            values = [run_time_to_quality(r) for r in runs]
        else:
            raise ValueError(f"unknown ranking metric {rules.ranking_metric!r}")
    except Unscorable as exc:
        return Score(False, str(exc), **counts)

    value, kept = aggregate(values, rules.aggregation)
    if not math.isfinite(value):
        return Score(
            False,
            f"only {converged} of {total} runs reached the target ({rules.aggregation.replace('_', ' ')})",
            **counts,
        )
    minimum, maximum, cv = spread(values)
    return Score(
        True,
        value=value,
        minimum=minimum,
        maximum=maximum,
        cv=cv,
        flops=_optional_aggregate([_flops_or_none(r, flops_per_sample) for r in runs], rules.aggregation),
        time_s=(
            value
            if rules.ranking_metric == TIME_TO_QUALITY
            else _optional_aggregate([r.time_to_train_s for r in runs], rules.aggregation)
        ),
        quality=_optional_aggregate([r.achieved_quality for r in runs], rules.aggregation),
        runs_counted=kept,
        **counts,
    )


def _flops_or_none(run: RunFigures, flops_per_sample: float | None) -> float | None:
    if not flops_per_sample:
        return None
    try:
        return run_flops(run, flops_per_sample)
    except Unscorable:
        return None


def _optional_aggregate(values: Sequence[float | None], method: str) -> float | None:
    present = [v for v in values if v is not None]
    return aggregate(present, method)[0] if present else None


def better_first_key(metric: str, value: float) -> float:
    """A sort key that puts the better score first (Valid FLOPS: higher; time: lower)."""
    return -value if metric == VALID_FLOPS else value
