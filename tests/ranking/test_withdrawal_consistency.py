"""A withdrawal changes everything a reader of the board sees in its own transaction: the rows,
the counts, the category counts, the leader and the filter choices, before any recompute."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from ranking import receivers
from ranking.models import Leaderboard, LeaderboardEntry
from tests.support.boards import API, PAGE
from tests.support.factories import five_runs, withdraw


@pytest.fixture
def three(published) -> list:
    return [
        published(
            system_name="Alpha", runs=five_runs(time_s=1800), accelerator="Gone-X1", availability="preview"
        ),
        published(system_name="Beta", accelerator="H100"),
        published(system_name="Gamma", runs=five_runs(time_s=7200), accelerator="H100"),
    ]


@pytest.fixture
def no_recompute(monkeypatch) -> None:
    # The worker has not run the recompute yet (a busy queue): only the transaction's own work shows.
    monkeypatch.setattr(receivers, "leaderboard_enqueue_recompute", lambda **kwargs: None)


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_it_updates_rows_counts_and_filters_inside_the_withdrawing_transaction(three, owner, no_recompute):
    with transaction.atomic():
        withdraw(three[0], actor=owner)
        # Not yet committed, and already consistent.
        board = Leaderboard.objects.get(level__slug="system", benchmark__slug="image-classification")
        assert LeaderboardEntry.objects.filter(leaderboard=board, valid_to__isnull=True).count() == 2
        assert board.ranked_count == 2
        assert board.category_counts == {"available": 2}
        assert board.facets["accelerator"] == ["H100"]
        assert board.leader.submission_id == three[1].pk


def test_it_shows_readers_the_new_counts_and_filter_values_before_the_recompute(
    client, api_client, three, owner, no_recompute, django_capture_on_commit_callbacks
) -> None:
    assert "Gone-X1" in _options(client.get(PAGE).content.decode(), "accelerator")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(three[0], actor=owner)

    body = api_client.get(API).json()
    assert body["count"] == 2 and [r["system_name"] for r in body["results"]] == ["Beta", "Gamma"]
    page = client.get(PAGE).content.decode()
    assert "Gone-X1" not in page and "Alpha" not in page
    assert _options(page, "accelerator") == ["", "H100"]
    assert api_client.get(API, {"accelerator": "Gone-X1"}).json()["count"] == 0
