"""Pages across boards: every system x benchmark, one system's results, a comparison."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .board_table import CATEGORY_LABELS, hardware_label, score_label
from .models import LeaderboardEntry
from .presentation import PROVENANCE_LABELS, score_in_unit, sig
from .system_selectors import (
    COMPARE_MAX,
    COMPARE_MIN,
    SEARCH_MAX_LENGTH,
    compared_entries,
    system_entries,
    system_slugs,
    systems_table,
    with_cpu_cores,
)


def systems(request: HttpRequest) -> HttpResponse:
    """One row per system, one column per benchmark, as MLPerf's results table; searchable."""
    search = request.GET.get("q", "")[:SEARCH_MAX_LENGTH]
    found = systems_table(search=search, page=_page_number(request.GET.get("page")))
    benchmarks, rows = found.benchmarks, found.rows
    table = [
        {
            "organization": row.organization,
            "system_name": row.system_name,
            "url": reverse("ranking:system", args=row.slugs),
            "accelerators": sorted(a for a in row.accelerators if a),
            "cells": [[_entry_view(e) for e in row.cells.get(b.pk, [])] for b in benchmarks],
        }
        for row in rows
    ]
    context = {"benchmarks": benchmarks, "rows": table, "search": search, "page": found}
    return render(request, "ranking/systems.html", context)


def _page_number(raw: str | None) -> int:
    try:
        return max(int(raw or 1), 1)
    except ValueError:
        return 1


def system(request: HttpRequest, organization: str, system_name: str) -> HttpResponse:
    entries = system_entries(organization_slug=organization, system_slug=system_name)
    if not entries:
        raise Http404("No published results of such a system.")
    first = entries[0]
    context = {
        "organization": first.organization,
        "system_name": first.system_name,
        "entries": [_entry_view(e) for e in entries],
    }
    return render(request, "ranking/system.html", context)


def compare(request: HttpRequest) -> HttpResponse:
    """Two to four results side by side; the URL (?r=id&r=id) is the comparison to share."""
    ids, bad = [], []
    for raw in request.GET.getlist("r"):
        try:
            ids.append(UUID(raw))
        except ValueError:
            bad.append(raw)
    ids = list(dict.fromkeys(ids))
    error = ""
    if bad:
        error = f"Not a result id: {', '.join(bad[:4])}."
    elif not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        error = f"Choose {COMPARE_MIN} to {COMPARE_MAX} results to compare (this link names {len(ids)})."
    entries = [] if error else compared_entries(submission_ids=ids)
    if not error and len(entries) < len(ids):
        error = "Some of these results are not published (any more); the others are shown."
    views = [_compare_view(e) for e in entries]
    context = {
        "results": views,
        "error": error,
        "rows": _compare_rows(views),
        "hyperparameters": _hyperparameter_rows(entries),
        "system_rows": _system_rows(entries),
    }
    return render(request, "ranking/compare.html", context, status=400 if bad else 200)


def _entry_view(entry: LeaderboardEntry) -> dict[str, Any]:
    board = entry.leaderboard
    bench = board.benchmark
    row = {"accelerator": entry.accelerator, "accelerator_count": entry.accelerator_count}
    return {
        "entry": entry,
        "benchmark": bench,
        "suite": bench.suite,
        "level": board.level,
        "profile": board.profile,
        "board_url": reverse("ranking:leaderboard", args=[bench.suite.slug, bench.slug, board.level.slug])
        + ("?profile=smoke" if board.profile == "smoke" else ""),
        "url": reverse("submissions:detail", args=[entry.submission_id]),
        "score": sig(score_in_unit(bench, entry.score), 4),
        "unit": score_label(bench),
        "hardware": hardware_label(row),
        "category": CATEGORY_LABELS.get(entry.availability, entry.availability),
        "provenance": PROVENANCE_LABELS.get(entry.provenance, entry.provenance),
        "system_url": reverse("ranking:system", args=system_slugs(entry.organization, entry.system_name)),
    }


def _compare_view(entry: LeaderboardEntry) -> dict[str, Any]:
    view = _entry_view(entry)
    row = with_cpu_cores(
        [
            {
                "submission_id": entry.submission_id,
                "accelerator": entry.accelerator,
                "accelerator_count": entry.accelerator_count,
            }
        ]
    )[0]
    view["hardware"] = hardware_label(row)
    return view


def _compare_rows(views: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    def rank(v: dict[str, Any]) -> str:
        e = v["entry"]
        if e.rank is None:
            return f"not ranked: {e.unranked_reason}"
        return f"#{e.category_rank} {v['category'].lower()} (#{e.rank} overall)"

    figures = [
        ("Benchmark", lambda v: f"{v['suite']} / {v['benchmark'].name}"),
        ("Level", lambda v: v["level"].name + (" (smoke profile)" if v["profile"] == "smoke" else "")),
        ("Score", lambda v: f"{v['score']} {v['unit']}" if v["score"] else "–"),
        ("Rank", rank),
        ("Time to train (min)", lambda v: sig(v["entry"].time_s / 60 if v["entry"].time_s else None)),
        ("Quality", lambda v: sig(v["entry"].quality, 4)),
        ("Runs", lambda v: f"{v['entry'].runs_total} ({v['entry'].runs_converged} at target)"),
        ("Hardware", lambda v: v["hardware"]),
        ("Nodes", lambda v: str(v["entry"].nodes)),
        ("Framework", lambda v: v["entry"].framework),
        ("Availability", lambda v: v["category"]),
        ("Provenance", lambda v: v["provenance"]),
    ]
    return [(label, [str(shown(v) or "–") for v in views]) for label, shown in figures]


def _hyperparameter_rows(entries: list[LeaderboardEntry]) -> list[tuple[str, list[str]]]:
    values = [
        e.submission.hyperparameters if isinstance(e.submission.hyperparameters, dict) else {}
        for e in entries
    ]
    return _union_rows(values)


def _system_rows(entries: list[LeaderboardEntry]) -> list[tuple[str, list[str]]]:
    values = [
        e.submission.system_description if isinstance(e.submission.system_description, dict) else {}
        for e in entries
    ]
    return _union_rows(values)


def _union_rows(values: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Every key any of them states, in first-seen order, with each one's value (– when absent)."""
    keys = list(dict.fromkeys(key for value in values for key in value))
    return [
        (key.replace("_", " "), ["–" if v.get(key) is None else str(v[key]) for v in values]) for key in keys
    ]
