"""A board as CSV: every row that matches the filters, in the requested order, no pagination."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from rest_framework.renderers import BaseRenderer

from catalogue.models import Benchmark

from .presentation import score_in_unit, score_unit
from .selectors import FIGURE_FIELDS, SYSTEM_FIELDS

COLUMNS = (
    "rank",
    "category_rank",
    *SYSTEM_FIELDS,
    "score",
    "score_unit",
    "score_display",
    "display_unit",
    *FIGURE_FIELDS,
    "published_at",
    "submission_id",
    "submission_url",
)


# A spreadsheet reads a cell that starts with one of these as a formula (=HYPERLINK(...),
# +cmd|...); such a text cell is written with a leading apostrophe, which spreadsheets show
# as text and hide (OWASP's advice for CSV injection). Numbers are written as numbers.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CSVRenderer(BaseRenderer):
    """Lets content negotiation accept text/csv (and ?format=csv); the view writes the body."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes | str):
            return data.encode() if isinstance(data, str) else data
        # Errors (a dict of messages) still come back as CSV: field, message.
        out = io.StringIO()
        writer = csv.writer(out)
        for key, value in (data or {}).items():
            text = value if isinstance(value, str) else "; ".join(map(str, value))
            writer.writerow([safe_cell(key), safe_cell(text)])
        return out.getvalue().encode()


def board_csv(benchmark: Benchmark, rows: Iterable[dict[str, Any]], url_for: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    si_unit = "FLOPS" if benchmark.ranking_metric == "valid_flops" else "s"
    display_unit = score_unit(benchmark)
    for row in rows:
        shown = score_in_unit(benchmark, row["score"])
        values = {
            **row,
            "score_unit": si_unit,
            "score_display": "" if shown is None else f"{shown:.6g}",
            "display_unit": display_unit,
            "published_at": row["published_at"].isoformat() if row["published_at"] else "",
            "submission_url": url_for(row["submission_id"]),
        }
        writer.writerow(["" if values[c] is None else safe_cell(values[c]) for c in COLUMNS])
    return out.getvalue()
