"""What a result's page shows of its place on its board: score, ranks, as of when, the way back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.urls import reverse

from .board_table import CATEGORY_LABELS, flops_declared, hardware_label, score_label
from .presentation import score_in_unit, sig
from .system_selectors import result_standing, system_slugs, with_cpu_cores


def result_standing_view(*, submission_id: UUID) -> dict[str, Any] | None:
    entry = result_standing(submission_id=submission_id)
    if entry is None:
        return None
    board = entry.leaderboard
    bench, lvl = board.benchmark, board.level
    board_url = reverse("ranking:leaderboard", args=[bench.suite.slug, bench.slug, lvl.slug])
    params = [f"category={entry.availability}"]
    if board.profile == "smoke":
        params.insert(0, "profile=smoke")
    row = with_cpu_cores(
        [
            {
                "submission_id": entry.submission_id,
                "accelerator": entry.accelerator,
                "accelerator_count": entry.accelerator_count,
                "provenance": entry.provenance,
            }
        ]
    )[0]
    return {
        "entry": entry,
        "board": board,
        "benchmark": bench,
        "level": lvl,
        "board_url": f"{board_url}?{'&'.join(params)}",
        "score": sig(score_in_unit(bench, entry.score), 4),
        "unit": score_label(bench),
        "category": CATEGORY_LABELS.get(entry.availability, entry.availability),
        "hardware": hardware_label(row),
        "declared_flops": flops_declared(lvl, bench, row, board.profile),
        "system_url": reverse("ranking:system", args=system_slugs(entry.organization, entry.system_name)),
    }
