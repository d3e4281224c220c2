"""What the pages and the API show of a submission's free-form parts, within bounds.

A system description is the submitter's JSON: counts may be integers or digit strings of any
length, capacities are text ("2 TB"), and any extra key may appear (MLPerf's own files have
"items", which a template would read as the dict's method). Findings can number a hundred
thousand. Every page reads these through here: counts as numbers or nothing, text cut to a
length, lists cut to a number of entries with a count of the rest, so that no bundle can make
a page fail or grow past a few hundred kilobytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from .models import Finding, Submission

# No system has more nodes, or more accelerators on a node; a larger count is shown as text.
MAX_COUNT = 10_000_000
TEXT_CHARS = 300
SYSTEM_ITEMS_SHOWN = 100
FINDINGS_SHOWN = 100
ROWS_SHOWN = 200
ELLIPSIS = "…"


def count_value(value: Any) -> int | None:
    """A count as a number: an integer or a string of digits, 0 to MAX_COUNT; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) <= 12:
        number = int(value.strip())
    else:
        return None
    return number if 0 <= number <= MAX_COUNT else None


def text_value(value: Any, limit: int = TEXT_CHARS) -> str:
    """Any JSON value as text of at most `limit` characters: strings as they are, the rest as JSON."""
    # Built piecewise, so that a huge value is never serialised whole just to be cut.
    text = value if isinstance(value, str) else _json_prefix(value, limit + 1)
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _json_prefix(value: Any, limit: int) -> str:
    if isinstance(value, dict):
        parts = []
        size = 0
        for key, item in value.items():
            part = f"{json.dumps(str(key), ensure_ascii=False)}: {_json_prefix(item, limit)}"
            parts.append(part)
            size += len(part) + 2
            if size > limit:
                break
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        parts = []
        size = 0
        for item in value:
            parts.append(_json_prefix(item, limit))
            size += len(parts[-1]) + 2
            if size > limit:
                break
        return "[" + ", ".join(parts) + "]"
    if isinstance(value, str):
        return json.dumps(value[:limit], ensure_ascii=False)
    text = json.dumps(value, ensure_ascii=False)
    return text[:limit]


def accelerator_count(system: Any) -> int | None:
    """Nodes times accelerators per node, when both are readable counts."""
    if not isinstance(system, dict):
        return None
    nodes = count_value(system.get("number_of_nodes"))
    per_node = count_value(system.get("accelerators_per_node"))
    if nodes is None or per_node is None:
        return None
    return nodes * per_node


@dataclass
class Shown:
    """The first entries of a longer list, and how many were left out."""

    items: list[Any] = field(default_factory=list)
    hidden: int = 0


def system_items(description: Any, limit: int = SYSTEM_ITEMS_SHOWN) -> Shown:
    """The description's keys in the submitter's order, as (label, text) pairs."""
    if not isinstance(description, dict):
        return Shown()
    pairs = [
        (text_value(str(key), 80).replace("_", " "), text_value(value))
        for key, value in list(description.items())[:limit]
    ]
    return Shown(pairs, max(len(description) - limit, 0))


def cut(rows: list[Any], limit: int = ROWS_SHOWN) -> Shown:
    return Shown(rows[:limit], max(len(rows) - limit, 0))


_SEVERITY_ORDER = Case(
    *(When(severity=s, then=Value(i)) for i, s in enumerate(Finding.Severity.values)),
    output_field=IntegerField(),
)


def findings_ordered(submission: Submission) -> QuerySet[Finding]:
    """Errors first, then warnings, then notes; in the validator's order within each."""
    return submission.findings.alias(severity_order=_SEVERITY_ORDER).order_by("severity_order", "id")


@dataclass
class FindingGroup:
    severity: str
    label: str
    total: int
    shown: list[Finding]


def findings_grouped(submission: Submission, limit: int = FINDINGS_SHOWN) -> tuple[list[FindingGroup], int]:
    """The first `limit` findings by severity, each group with its full count; and how many
    findings in all are not shown."""
    totals = dict(submission.findings.values_list("severity").annotate(n=Count("id")))
    first = list(findings_ordered(submission)[:limit])
    groups = [
        FindingGroup(severity, label, totals[severity], [f for f in first if f.severity == severity])
        for severity, label in Finding.Severity.choices
        if totals.get(severity)
    ]
    return groups, sum(totals.values()) - len(first)
