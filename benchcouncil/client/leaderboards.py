"""Read a leaderboard and print it as a table, JSON or CSV.

GET /api/v1/leaderboards/{suite}/{benchmark}/{level}/ answers one page of rows with the
board's description; every page is fetched. CSV is the service's own export (/csv/), so a
spreadsheet gets the same columns whichever way it was downloaded.
"""

from __future__ import annotations

import json
from typing import Any

from .http import ApiClient

# The table's columns, when the rows have them; JSON and CSV carry every column.
TABLE_COLUMNS = (
    "rank",
    "overall_rank",
    "organization",
    "system_name",
    "accelerator",
    "accelerator_count",
    "framework",
    "score",
    "quality",
    "time_s",
    "availability",
    "provenance",
)
TABLE_MAX_WIDTH = 36
MAX_PAGES = 1000


def leaderboard_path(suite: str, benchmark: str, level: str) -> str:
    return f"api/v1/leaderboards/{suite}/{benchmark}/{level}/"


def fetch_leaderboard(
    client: ApiClient, suite: str, benchmark: str, level: str, params: dict[str, str]
) -> dict[str, Any]:
    """The board with the rows of every page under `results`."""
    page = client.get_json(leaderboard_path(suite, benchmark, level), params or None)
    board = {**page, "results": list(page.get("results") or [])}
    for _ in range(MAX_PAGES):
        if not page.get("next"):
            break
        page = client.get_json(client.same_origin(page["next"]))
        board["results"] += page.get("results") or []
    board["next"] = board["previous"] = None
    return board


def fetch_leaderboard_csv(
    client: ApiClient, suite: str, benchmark: str, level: str, params: dict[str, str]
) -> str:
    answer = client.get(leaderboard_path(suite, benchmark, level) + "csv/", params or None, accept="text/csv")
    return answer.body.decode("utf-8")


def render_json(board: dict[str, Any]) -> str:
    return json.dumps(board, indent=2, sort_keys=True) + "\n"


def render_table(board: dict[str, Any]) -> str:
    about = board.get("board") or {}
    rows = board.get("results") or []
    if about.get("category"):
        # Within one availability category its own ranks are the ranks; the board's follow.
        rows = [
            {"rank": r.get("category_rank"), "overall_rank": r.get("rank"), **_without_ranks(r)} for r in rows
        ]
    header = _title(about)
    if not rows:
        return f"{header}\n(no published results)\n"
    names = [name for name in TABLE_COLUMNS if any(name in row for row in rows)]
    cells = [[_cell(row.get(name)) for name in names] for row in rows]
    widths = [max(len(name), *(len(r[i]) for r in cells)) for i, name in enumerate(names)]

    def line(values: list[str]) -> str:
        return "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True)).rstrip()

    return "\n".join([header, line(names), line(["-" * w for w in widths]), *map(line, cells)]) + "\n"


def _without_ranks(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("rank", "category_rank")}


def _title(about: dict[str, Any]) -> str:
    title = "/".join(str(about[key]) for key in ("suite", "benchmark", "level") if about.get(key))
    if about.get("profile") and about["profile"] != "full":
        title += f" ({about['profile']} profile)"
    if about.get("ranking_metric"):
        better = "higher" if about.get("higher_is_better") else "lower"
        unit = f" in {about['score_unit']}" if about.get("score_unit") else ""
        title += f"; score: {about['ranking_metric']}{unit}, {better} is better"
    if about.get("category"):
        title += f"; {about['category']} systems, ranked among themselves"
    return title or "leaderboard"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text if len(text) <= TABLE_MAX_WIDTH else text[: TABLE_MAX_WIDTH - 1] + "…"
