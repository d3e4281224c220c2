"""A run's quality curve, from its ``eval_accuracy`` events, and the figures read off it."""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING

from mlperf_logging.mllog import constants as mlc

from .findings import FindingSink
from .log_summary import Event, LogSummary, missing_key
from .report import RunReport, error, info, warning

if TYPE_CHECKING:
    from .runs import Target

# The stored curve is for reading and plotting: past this many points it is thinned
# evenly (the last point always kept). The figures use every evaluation.
MAX_CURVE_POINTS = 1000


def curve(
    log: LogSummary,
    edges: tuple[Event | None, Event | None],
    target: Target,
    report: RunReport,
    out: tuple[FindingSink, int],
) -> None:
    sink, most = out
    name, evals = log.name, log.evals
    if not len(evals):
        sink.add(missing_key(name, mlc.EVAL_ACCURACY))
    start, stop = edges
    if start is None:
        return
    end = stop.time_ms if stop is not None else math.inf
    counted = array("q")
    for index in range(len(evals)):
        line, quality, time_ms = evals.lines[index], evals.values[index], evals.times[index]
        where = f"{name}:{line}"
        if math.isnan(quality):
            message = f"{name} line {line}: eval_accuracy needs a numeric value and metadata.epoch_num"
            sink.add(error("log.bad_value", message, where))
            continue
        if not start.time_ms <= time_ms <= end:
            message = f"{name} line {line}: eval_accuracy outside run_start..run_stop is not counted"
            sink.add(warning("log.event_outside_run", message, where))
            continue
        counted.append(index)
        _reach(report, quality, (time_ms - start.time_ms) / 1000, target)
    kept = _thinned(counted, most)
    if len(kept) < len(counted):
        message = (
            f"{name}: {len(counted)} evaluations; the stored curve keeps {len(kept)} of them, evenly spaced "
            "and the last (the figures use all)"
        )
        sink.add(info("log.curve_thinned", message, name))
    report.curve = [
        {
            "epoch": evals.epoch(i),
            "time_s": (evals.times[i] - start.time_ms) / 1000,
            "quality": evals.values[i],
        }
        for i in kept
    ]
    report.converged = report.status == mlc.SUCCESS and report.time_to_quality_s is not None


def _reach(report: RunReport, quality: float, time_s: float, target: Target) -> None:
    report.achieved_quality = quality
    if report.time_to_quality_s is None and target.quality is not None:
        reached = quality >= target.quality if target.higher_is_better else quality <= target.quality
        report.time_to_quality_s = time_s if reached else None


def _thinned(indices: array[int], most: int) -> array[int] | list[int]:
    if len(indices) <= most:
        return indices
    stride = -(-(len(indices) - 1) // max(most - 1, 1))
    kept = list(indices[::stride])
    if kept[-1] != indices[-1]:
        kept.append(indices[-1])
    return kept
