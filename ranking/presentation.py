"""How scores read: units and rounding for pages, chart data and the CSV export.

Scores are stored in SI units (FLOPS, seconds); readers see Valid PFLOPS or minutes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.urls import reverse

from catalogue.models import Benchmark, RankingMetric
from submissions.models import Provenance

PROVENANCE_LABELS = dict(Provenance.choices)
AGGREGATION_LABELS = {
    "olympic_mean": "olympic mean (best and worst run dropped)",
    "mean": "mean",
    "median": "median",
}


def score_unit(benchmark: Benchmark) -> str:
    return "Valid PFLOPS" if benchmark.ranking_metric == RankingMetric.VALID_FLOPS else "minutes"


def score_in_unit(benchmark: Benchmark, value: float | None) -> float | None:
    if value is None:
        return None
    return value / 1e15 if benchmark.ranking_metric == RankingMetric.VALID_FLOPS else value / 60


def efficiency_label(benchmark: Benchmark) -> str:
    if benchmark.ranking_metric == RankingMetric.VALID_FLOPS:
        return "Valid TFLOPS per accelerator"
    return "Accelerator-hours to quality (lower is better)"


def efficiency(benchmark: Benchmark, row: dict[str, Any]) -> float | None:
    count = row["accelerator_count"]
    if not count or row["score"] is None:
        return None
    if benchmark.ranking_metric == RankingMetric.VALID_FLOPS:
        return row["score"] / 1e12 / count
    return row["score"] / 3600 * count


def sig(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}g}"


def decorate(benchmark: Benchmark, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the display fields a page shows beside the stored ones."""
    url_for = submission_url_builder()
    for row in rows:
        row["score_shown"] = sig(score_in_unit(benchmark, row["score"]), 4)
        row["min_shown"] = sig(score_in_unit(benchmark, row["score_min"]))
        row["max_shown"] = sig(score_in_unit(benchmark, row["score_max"]))
        row["cv_shown"] = "" if row["score_cv"] is None else f"{row['score_cv'] * 100:.1f}%"
        row["time_min"] = "" if row["time_s"] is None else f"{row['time_s'] / 60:.1f}"
        row["quality_shown"] = "" if row["quality"] is None else f"{row['quality']:.4f}"
        row["url"] = url_for(row["submission_id"])
        row["provenance_label"] = PROVENANCE_LABELS.get(row["provenance"], row["provenance"])
        row["runs_shown"] = runs_label(benchmark, row)
    return rows


def runs_label(benchmark: Benchmark, row: dict[str, Any]) -> str:
    """The runs cell: "5 (5 at target)"; "1 run reported" for a published entry ranked on fewer."""
    total = row["runs_total"]
    if total < benchmark.required_runs:
        return f"{total} run{'' if total == 1 else 's'} reported"
    return f"{total} ({row['runs_converged']} at target)"


def chart_data(
    benchmark: Benchmark, rows: list[dict[str, Any]], curves: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """What the page's three plotly charts draw, embedded with json_script."""
    labels = {row["submission_id"]: f"#{row['shown_rank']} {row['organization']}" for row in rows}
    points = [p for p in rows if p["accelerator_count"] and p["score"]]
    drawn = [c for c in curves if c["curve"]]
    return {
        # What each chart has to draw; a chart with nothing is a message, not an empty frame.
        "has_scaling": bool(points),
        "has_efficiency": any(efficiency(benchmark, row) is not None for row in rows),
        "cpu_only": bool(rows) and not any(row["accelerator_count"] for row in rows),
        "metric": benchmark.ranking_metric,
        "unit": score_unit(benchmark),
        "efficiency_unit": efficiency_label(benchmark),
        "quality_label": benchmark.quality_metric_label,
        "target": benchmark.target_quality,
        "points": [
            {
                "label": f"{labels[row['submission_id']]}, {row['system_name']}",
                "accelerators": row["accelerator_count"],
                "accelerator": row["accelerator"],
                "score": score_in_unit(benchmark, row["score"]),
                "efficiency": efficiency(benchmark, row),
                "url": row["url"],
            }
            for row in rows
        ],
        "curves": [
            {
                "result": str(c["submission_id"]),
                "result_label": f"{labels.get(c['submission_id'], '')}",
                "label": f"{labels.get(c['submission_id'], '')} run {c['index']}",
                "minutes": [p.get("time_s", 0) / 60 for p in c["curve"] if isinstance(p, dict)],
                "quality": [p.get("quality") for p in c["curve"] if isinstance(p, dict)],
            }
            for c in drawn
        ],
    }


def submission_url_builder(absolute: Callable[[str], str] | None = None) -> Callable[[Any], str]:
    """reverse() once per page, not once per row: only the UUID changes between rows."""
    marker = str(uuid.UUID(int=0))
    url = reverse("submissions:detail", args=[marker])
    prefix, suffix = (absolute(url) if absolute else url).split(marker)
    return lambda submission_id: f"{prefix}{submission_id}{suffix}"
