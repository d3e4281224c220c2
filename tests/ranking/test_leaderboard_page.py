"""The public leaderboard page: a server-rendered table, sorted and filtered through the URL."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from ranking import selectors
from ranking.models import Leaderboard
from tests.support.factories import five_runs

URL = reverse("ranking:leaderboard", args=["hpc-ai500", "image-classification", "system"])


def table_systems(html: str) -> list[str]:
    body = html.split('<table id="leaderboard">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/submissions/[0-9a-f-]+/">([^<]+)</a>', body)


@pytest.fixture
def board(published) -> Leaderboard:
    published(
        system_name="Alpha", runs=five_runs(time_s=1800), accelerator="H100", accelerators_per_node=8, nodes=4
    )
    published(system_name="Beta", framework="JAX 0.4", availability="preview")
    published(system_name="Gamma", runs=five_runs(time_s=7200), accelerator="H100", accelerators_per_node=4)
    return Leaderboard.objects.get()


def test_it_renders_the_table_in_rank_order_with_links_to_submissions(client, board) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # Available systems by default; the preview one is ranked on its own tab.
    assert table_systems(html) == ["Alpha", "Gamma"]
    assert "Valid PFLOPS" in html
    assert "H100 × 32" in html
    assert "Ties are broken by better score, then earlier publication, then submission id" in html
    entry = board.entries.get(rank=1)
    assert reverse("submissions:detail", args=[entry.submission_id]) in html


def test_it_shows_the_score_time_quality_and_spread(client, board) -> None:
    html = client.get(URL).content.decode()
    # Alpha: 2 x 0.778 Valid PFLOPS, 30 minutes, at target, 5 identical runs
    assert "<strong>1.557</strong>" in html
    assert ">30.0<" in html
    assert "0.7630" in html
    assert "5 (5 at target)" in html
    assert "CV 0.0%" in html


def test_it_sorts_through_the_url(client, board) -> None:
    html = client.get(URL, {"sort": "-accelerators"}).content.decode()
    assert table_systems(html) == ["Alpha", "Gamma"]
    html = client.get(URL, {"sort": "accelerators"}).content.decode()
    assert table_systems(html) == ["Gamma", "Alpha"]
    # the header link toggles the direction and keeps the other parameters
    html = client.get(URL, {"sort": "accelerators", "framework": "JAX 0.4"}).content.decode()
    assert 'href="?sort=-accelerators&amp;framework=JAX+0.4"' in html


def test_it_filters_through_the_url(client, board) -> None:
    assert table_systems(client.get(URL, {"accelerator": "H100"}).content.decode()) == ["Alpha", "Gamma"]
    assert table_systems(client.get(URL, {"framework": "JAX 0.4"}).content.decode()) == []
    html = client.get(URL, {"framework": "JAX 0.4", "category": "preview"}).content.decode()
    assert table_systems(html) == ["Beta"]
    html = client.get(URL, {"category": "preview"}).content.decode()
    assert table_systems(html) == ["Beta"]
    # within a category the category's rank is shown (Beta is second on the whole board)
    assert re.search(r'<td class="key num c-rank" data-label="Rank">1</td>', html)


def test_it_ignores_an_unknown_filter_value_instead_of_failing(client, board) -> None:
    response = client.get(URL, {"accelerator": "no-such-chip", "sort": "bogus"})
    assert response.status_code == 200
    assert table_systems(response.content.decode()) == ["Alpha", "Gamma"]


def test_it_embeds_the_chart_data_and_serves_plotly_locally(client, board) -> None:
    html = client.get(URL).content.decode()
    data = json.loads(
        re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert [p["accelerators"] for p in data["points"]] == [32, 4]
    assert data["unit"] == "Valid PFLOPS"
    assert data["points"][0]["score"] == pytest.approx(1.5566, rel=1e-3)
    assert "/static/vendor/plotly/plotly.min.js" in html
    assert "cdn" not in html.lower()


def test_it_draws_the_runs_quality_curves(client, published) -> None:
    curve = [{"epoch": 1, "time_s": 600, "quality": 0.5}, {"epoch": 2, "time_s": 1200, "quality": 0.77}]
    runs = five_runs()
    for run in runs:
        run.curve = curve
    published(runs=runs)
    html = client.get(URL).content.decode()
    data = json.loads(
        re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert len(data["curves"]) == 5
    assert data["curves"][0]["minutes"] == [10, 20]
    assert data["curves"][0]["quality"] == [0.5, 0.77]


def test_it_pages_the_table(client, published, monkeypatch) -> None:
    for i in range(3):
        published(system_name=f"S{i}", runs=five_runs(time_s=3600 + i))
    monkeypatch.setattr(selectors, "PER_PAGE", 2)
    html = client.get(URL).content.decode()
    html2 = client.get(URL, {"page": 2}).content.decode()
    assert table_systems(html) == ["S0", "S1"]
    assert 'rel="next"' in html
    assert table_systems(html2) == ["S2"]


def test_it_keeps_smoke_results_off_the_full_board(client, published) -> None:
    published(system_name="Full")
    published(system_name="Smoke", profile="smoke", per_sample_training_flops=1.889e8)
    assert table_systems(client.get(URL).content.decode()) == ["Full"]
    html = client.get(URL, {"profile": "smoke"}).content.decode()
    assert table_systems(html) == ["Smoke"]
    assert "never with full results" in html


def test_it_shows_an_empty_catalogue_board_and_404s_an_unknown_one(client, db) -> None:
    assert client.get(URL).status_code == 200
    bad = reverse("ranking:leaderboard", args=["hpc-ai500", "image-classification", "nope"])
    assert client.get(bad).status_code == 404


def test_it_reads_the_page_in_a_few_queries(client, board, django_assert_max_num_queries) -> None:
    # the board's version (all a cached page needs), the board, one page of entries, the curves
    # of its first rows (no per-row queries)
    with django_assert_max_num_queries(4):
        client.get(URL)
