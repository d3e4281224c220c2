"""Rendered boards are cached under the board's version: repeated reads are cheap, never stale."""

from __future__ import annotations

import math
from datetime import timedelta
from types import SimpleNamespace

import pytest
from conftest import five_runs
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from factories import withdraw

from ranking import cache as cache_module
from ranking import receivers
from ranking.models import Leaderboard

ARGS = ["hpc-ai500", "image-classification", "system"]
PAGE = reverse("ranking:leaderboard", args=ARGS)
API = reverse("api-leaderboard", args=ARGS)
CSV = reverse("api-leaderboard-csv", args=ARGS)


@pytest.fixture
def two(published) -> list:
    return [
        published(system_name="Alpha", runs=five_runs(time_s=1800), accelerator="H100"),
        published(system_name="Beta", framework="JAX 0.4"),
    ]


def text(client, url: str, params: dict | None = None) -> str:
    return client.get(url, params or {}).content.decode()


def test_it_answers_a_repeated_read_from_the_cache_with_the_same_bytes(
    client, api_client, two, django_assert_num_queries
) -> None:
    for c, url in ((client, PAGE), (api_client, API), (api_client, CSV)):
        first = c.get(url, {"sort": "-accelerators"})
        # Only the board row is read: its version names the cached rendering.
        with django_assert_num_queries(1):
            again = c.get(url, {"sort": "-accelerators"})
        assert again.status_code == 200
        assert again.content == first.content
        assert again["ETag"] == first["ETag"]
        assert again["Content-Type"] == first["Content-Type"]
        assert "public" in again["Cache-Control"] and "max-age=30" in again["Cache-Control"]


def test_it_shows_a_new_result_on_the_next_request(client, api_client, two, published) -> None:
    assert "Gamma" not in text(client, PAGE)
    assert "Gamma" not in text(api_client, API)
    assert "Gamma" not in text(api_client, CSV)
    published(system_name="Gamma", runs=five_runs(time_s=60))  # recomputed when it commits
    assert "Gamma" in text(client, PAGE)
    body = api_client.get(API).json()
    assert [r["system_name"] for r in body["results"]] == ["Gamma", "Alpha", "Beta"]
    assert "Gamma" in text(api_client, CSV)


def test_it_drops_a_withdrawal_on_the_next_request_before_the_recompute(
    client, api_client, two, owner, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    today = timezone.now().date().isoformat()
    reads = [
        (client, PAGE, {}),
        (api_client, API, {}),
        (api_client, CSV, {}),
        (api_client, API, {"as_of": today}),
    ]
    for c, url, params in reads:
        assert "Alpha" in text(c, url, params)
    # The recompute is queued but has not run (a busy worker): the cached boards are stale already.
    monkeypatch.setattr(receivers, "leaderboard_enqueue_recompute", lambda **kwargs: None)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(two[0], actor=owner)
    for c, url, params in reads:
        assert "Alpha" not in text(c, url, params), url
        assert "Beta" in text(c, url, params)


def test_it_answers_304_while_the_board_is_unchanged(client, api_client, two, published) -> None:
    reads = (
        (client, PAGE, {}),
        (client, PAGE, {"sort": "score"}),
        (api_client, API, {}),
        (api_client, CSV, {}),
    )
    etags = []
    for c, url, params in reads:
        etag = c.get(url, params)["ETag"]
        unchanged = c.get(url, params, HTTP_IF_NONE_MATCH=etag)
        assert unchanged.status_code == 304
        assert unchanged["ETag"] == etag
        assert unchanged.content == b""
        etags.append(etag)
    assert len(set(etags)) == len(etags)  # one validator per rendering
    published(system_name="Gamma")
    for (c, url, params), etag in zip(reads, etags, strict=True):
        changed = c.get(url, params, HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed["ETag"] != etag
        assert "Gamma" in changed.content.decode()


def test_it_answers_if_modified_since_by_the_boards_last_change(client, two, published, monkeypatch) -> None:
    # Last-Modified is sent once the second of the last change has passed.
    Leaderboard.objects.update(changed_at=timezone.now() - timedelta(minutes=5))
    response = client.get(PAGE)
    modified = response["Last-Modified"]
    assert client.get(PAGE, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    published(system_name="Gamma")
    board = Leaderboard.objects.get(
        benchmark__suite__slug=ARGS[0], benchmark__slug=ARGS[1], level__slug=ARGS[2], profile="full"
    )
    # The cache's clock is held within the second of that change: a second change could share
    # the second, so no date is offered (reading the real clock here would race its boundary).
    monkeypatch.setattr(cache_module, "timezone", SimpleNamespace(now=lambda: board.changed_at))
    changed = client.get(PAGE, HTTP_IF_MODIFIED_SINCE=modified)
    assert changed.status_code == 200
    assert "Gamma" in changed.content.decode()
    assert "Last-Modified" not in changed
    monkeypatch.undo()
    # Once that second has passed, the date is offered and is the second after the change.
    later = board.changed_at + timedelta(seconds=1)
    monkeypatch.setattr(cache_module, "timezone", SimpleNamespace(now=lambda: later))
    settled = client.get(PAGE)
    assert settled["Last-Modified"] == http_date(math.ceil(board.changed_at.timestamp()))
    assert client.get(PAGE, HTTP_IF_MODIFIED_SINCE=settled["Last-Modified"]).status_code == 304
    monkeypatch.undo()
    earlier = http_date((timezone.now() - timedelta(minutes=10)).timestamp())
    assert client.get(PAGE, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_it_never_shares_a_signed_in_readers_header(client, owner, two) -> None:
    anonymous = client.get(PAGE)
    assert "Log in" in anonymous.content.decode()
    client.force_login(owner)
    mine = client.get(PAGE)
    html = mine.content.decode()
    assert "Log out owner" in html and "Alpha" in html
    assert "private" in mine["Cache-Control"] and "public" not in mine["Cache-Control"]
    assert not mine.has_header("ETag")
    client.logout()
    again = client.get(PAGE).content.decode()
    assert "Log out owner" not in again and "csrfmiddlewaretoken" not in again
    assert again == anonymous.content.decode()


def test_it_renders_what_the_board_does_not_offer_without_caching_it(
    client, api_client, two, django_assert_max_num_queries
) -> None:
    for c, url in ((client, PAGE), (api_client, API)):
        for params in ({"accelerator": "no-such-chip"}, {"utm_source": "mail"}, {"page": "01"}):
            first = c.get(url, params)
            assert first.status_code == 200
            assert not first.has_header("ETag")
            # Rendered again from the database, not from the cache.
            with django_assert_max_num_queries(3) as queries:
                c.get(url, params)
            assert len(queries) >= 2
    assert api_client.get(API, {"sort": "password"}).status_code == 400


def test_it_keeps_past_boards_apart_by_date(api_client, two) -> None:
    assert api_client.get(API, {"as_of": "2000-01-01"}).json()["results"] == []
    today = timezone.now().date().isoformat()
    assert len(api_client.get(API, {"as_of": today}).json()["results"]) == 2
