"""A board's table: its columns for a benchmark and its rows as HTML.

Every cell carries a `data-label` (its column's name) and a class saying how it lays out on a
phone, where each row becomes a card: rank, organization, system and score first, the other
cells below them under their labels (static/css/site.css).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


def header_cells(columns: list[Column], sort: str, params: QueryDict) -> list[dict[str, object]]:
    """Header cells with the link that sorts by them (ascending first, then descending).

    The link is what {% querystring sort=... page=None %} would write, built here: twelve
    template tags were a tenth of the board's rendering."""
    cells = []
    for col in columns:
        key = col.key
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else "none"
        following = f"-{key}" if sort == key else key
        href = ""
        if key:
            link = params.copy()
            link["sort"] = following
            link.pop("page", None)
            href = f"?{link.urlencode()}"
        cells.append(
            {
                "key": key,
                "label": col.label,
                "numeric": col.numeric,
                "role": col.role,
                "next": following,
                "href": href,
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


def table_rows(
    rows: list[dict[str, Any]],
    columns: list[Column],
    benchmark: Benchmark,
    level: Level,
    profile: str = "full",
) -> SafeString:
    """The board's <tbody> rows, built in Python: the template engine spends about 0.3 ms per
    row of twelve cells, which is most of a 50-row page's time. Every value is escaped."""
    labels = {c.key or c.label: escape(c.label) for c in columns}
    has_time = any(c.key == "time" for c in columns)
    html = []
    for r in rows:
        html.append(_row(r, labels, has_time, flops_declared(level, benchmark, r, profile)))
    return mark_safe("\n".join(html))  # noqa: S308 - every interpolated text is escaped


def _row(r: dict[str, Any], labels: Mapping[str, str], has_time: bool, declared: bool) -> str:
    # A published entry ranked on fewer runs than the benchmark asks has no spread to show.
    spread = '<br><span class="muted">spread unknown</span>' if r["score_min"] is None else ""
    if r["min_shown"]:
        cv = f", CV {r['cv_shown']}" if r["cv_shown"] else ""
        spread = f'<br><span class="muted">{r["min_shown"]}–{r["max_shown"]}{cv}</span>'
    published = r["published_at"].strftime("%Y-%m-%d") if r["published_at"] else ""
    category = ""
    if r["availability"] != Availability.AVAILABLE:
        name = escape(CATEGORY_LABELS.get(r["availability"], r["availability"]))
        category = f' <span class="tag tag-category">{name}</span>'
    marker = (
        f' <abbr class="tag tag-declared" title="{escape(DECLARED_FLOPS)}">declared FLOPs</abbr>'
        if declared
        else ""
    )
    system = escape(r["system_name"] or "(unnamed system)")
    cells = [
        ("key num c-rank", "rank", str(r["shown_rank"])),
        ("key c-org", "organization", escape(r["organization"])),
        ("key c-system", "system", f'<a href="{escape(r["url"])}">{system}</a>{category}'),
        ("num", "accelerators", escape(hardware_label(r))),
        ("num", "nodes", str(r["nodes"])),
        ("", "framework", escape(r["framework"])),
        ("key num c-score", "score", f"<strong>{r['score_shown']}</strong>{marker}"),
    ]
    if has_time:
        cells.append(("num", "time", r["time_min"]))
    cells += [
        ("num", "quality", r["quality_shown"]),
        ("", "Runs (spread)", f"{escape(r['runs_shown'])}{spread}"),
        (
            "",
            "Provenance",
            f'<span class="tag tag-{escape(r["provenance"])}">{escape(r["provenance_label"])}</span>',
        ),
        ("", "date", published),
    ]
    body = "".join(
        f'<td class="{cls}" data-label="{labels[key]}">{value}</td>'
        if cls
        else f'<td data-label="{labels[key]}">{value}</td>'
        for cls, key, value in cells
    )
    return f'<tr data-submission="{r["submission_id"]}">{body}</tr>'
