"""A board's table: its columns for a benchmark and what its cells show
(templates/ranking/board_rows.jinja lays them out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalogue import flops_are_the_submissions
from catalogue.models import Benchmark, Level, RankingMetric
from submissions.models import Availability, Provenance

from .presentation import score_unit

CATEGORY_LABELS = dict(Availability.choices)
DECLARED_FLOPS = "Per-sample FLOPs declared by the submitter (the model may change at this level)"


@dataclass(frozen=True)
class Column:
    key: str  # the sort key; "" when the column does not sort
    label: str
    numeric: bool
    # "key" cells head a phone card (rank, organization, system, score); "more" cells follow.
    role: str = "more"


def score_label(benchmark: Benchmark) -> str:
    """The score's heading, naming its one unit: 'Valid PFLOPS' or 'Time to quality (min)'."""
    if benchmark.ranking_metric == RankingMetric.VALID_FLOPS:
        return score_unit(benchmark)
    return "Time to quality (min)"


def board_columns(benchmark: Benchmark) -> list[Column]:
    """The columns of a board, one unit per figure: a time-to-quality board's score is its time."""
    valid_flops = benchmark.ranking_metric == RankingMetric.VALID_FLOPS
    columns = [
        Column("rank", "Rank", True, "key"),
        Column("organization", "Organization", False, "key"),
        Column("system", "System", False, "key"),
        Column("accelerators", "Accelerators", True),
        Column("nodes", "Nodes", True),
        Column("framework", "Framework", False),
        Column("score", score_label(benchmark), True, "key"),
    ]
    if valid_flops:
        columns.append(Column("time", "Training time (min)", True))
    columns += [
        Column("quality", benchmark.quality_metric_label or "Quality", True),
        Column("", "Runs (spread)", False),
        Column("", "Provenance", False),
        Column("date", "Published", False),
    ]
    return columns


def header_cells(columns: list[Column], sort: str) -> list[dict[str, object]]:
    """Header cells with the sort their link asks for (ascending first, then descending)."""
    cells = []
    for col in columns:
        key = col.key
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else "none"
        cells.append(
            {
                "key": key,
                "label": col.label,
                "numeric": col.numeric,
                "role": col.role,
                "next": f"-{key}" if sort == key else key,
                "state": state if key else "",
            }
        )
    return cells


def hardware_label(row: dict[str, Any]) -> str:
    """'H100 × 32', or 'CPU × 64 cores' for a system without accelerators."""
    if is_cpu_only(row):
        cores = row.get("cpu_cores") or 0
        return f"CPU × {cores} cores" if cores else "CPU"
    return f"{row['accelerator']} × {row['accelerator_count']}"


def is_cpu_only(row: dict[str, Any]) -> bool:
    name = str(row.get("accelerator") or "").strip().lower()
    return not row.get("accelerator_count") or name in {"", "none", "cpu", "n/a"}


def flops_declared(level: Level, benchmark: Benchmark, row: dict[str, Any], profile: str = "full") -> bool:
    """Whether a Valid FLOPS score rests on the submitter's own per-sample FLOPs figure: where
    the result brings its own count (ranking.scoring) and no runner of ours measured it."""
    return (
        flops_are_the_submissions(model_may_change=level.model_may_change, profile=profile)
        and benchmark.ranking_metric == RankingMetric.VALID_FLOPS
        and row.get("provenance") != Provenance.RUNNER_VERIFIED
    )
