"""Availability categories ranked apart: the page's tabs, the leader, the API and the CLI."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from benchcouncil.client.leaderboards import render_table
from ranking.models import Leaderboard
from tests.support.factories import five_runs

ARGS = ["hpc-ai500", "image-classification", "system"]
PAGE = reverse("ranking:leaderboard", args=ARGS)
API = reverse("api-leaderboard", args=ARGS)


@pytest.fixture
def board(published) -> Leaderboard:
    published(system_name="Fast preview", runs=five_runs(time_s=900), availability="preview")
    published(system_name="Research rig", runs=five_runs(time_s=1200), availability="research")
    published(system_name="Best on sale", runs=five_runs(time_s=1800))
    published(system_name="Second on sale", runs=five_runs(time_s=3600))
    return Leaderboard.objects.get()


def _ranks(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-label="Rank">(\d+)</td>.*?<a href="/submissions/[^"]+/">([^<]+)</a>', html)


def test_it_ranks_available_systems_by_default_from_one(client, board) -> None:
    html = client.get(PAGE).content.decode()
    assert _ranks(html) == [("1", "Best on sale"), ("2", "Second on sale")]
    assert 'aria-current="page" data-category="available"' in html
    # each tab says how many results it ranks
    assert re.search(r'data-category="preview">Preview <span class="count">1</span>', html)
    assert re.search(
        r'data-category="research">Research, development or internal <span class="count">1</span>', html
    )


def test_it_ranks_preview_and_research_systems_on_tabs_of_their_own(client, board) -> None:
    preview = client.get(PAGE, {"category": "preview"}).content.decode()
    assert _ranks(preview) == [("1", "Fast preview")]
    assert '<span class="tag tag-category">Preview</span>' in preview
    research = client.get(PAGE, {"category": "research"}).content.decode()
    assert _ranks(research) == [("1", "Research rig")]
    assert "Research, development or internal</span>" in research


def test_it_makes_the_best_available_result_the_boards_leader(board) -> None:
    assert board.leader is not None and board.leader.system_name == "Best on sale"
    assert board.leader.rank == 3 and board.leader.category_rank == 1


def test_it_has_no_leader_while_only_preview_results_are_ranked(published) -> None:
    published(system_name="Only preview", availability="preview")
    assert Leaderboard.objects.get().leader is None


def test_the_api_says_which_rank_counts_within_a_category(api_client, board) -> None:
    body = api_client.get(API, {"category": "available"}).json()
    assert body["board"]["category"] == "available"
    assert body["board"]["rank_field"] == "category_rank"
    assert [(r["system_name"], r["category_rank"], r["rank"]) for r in body["results"]] == [
        ("Best on sale", 1, 3),
        ("Second on sale", 2, 4),
    ]
    whole = api_client.get(API).json()
    assert whole["board"]["category"] is None and whole["board"]["rank_field"] == "rank"


def test_the_cli_prints_the_category_rank_when_filtered_by_category(api_client, board) -> None:
    body = api_client.get(API, {"category": "available"}).json()
    lines = render_table(body).splitlines()
    assert "available systems, ranked among themselves" in lines[0]
    assert lines[1].split()[:2] == ["rank", "overall_rank"]
    assert [line.split()[:2] for line in lines[3:]] == [["1", "3"], ["2", "4"]]
    assert "Best on sale" in lines[3]
    # unfiltered, the whole board's ranks as before
    whole = render_table(api_client.get(API).json()).splitlines()
    assert [line.split()[0] for line in whole[3:]] == ["1", "2", "3", "4"]
