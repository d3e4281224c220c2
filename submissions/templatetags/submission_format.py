"""Filters that print the derived figures as people read them."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """1801.0 -> "30 min 1 s"; the exact seconds stay in the API."""
    if seconds is None:
        return "–"
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


@register.filter
def sci(value: float | None) -> str:
    """FLOPs and sample counts span many orders of magnitude: 9.34e+16."""
    if value is None:
        return "–"
    return f"{float(value):.3g}"


@register.filter
def plain(value: Any) -> str:
    """A system-description value: text as is, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@register.filter
def count(value: int | None) -> str:
    """3843501 -> "3,843,501"."""
    if value is None:
        return "–"
    return f"{int(value):,}"
