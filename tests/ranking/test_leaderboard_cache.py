"""Rendered boards are cached under the board's version: repeated reads are cheap, never stale."""

from __future__ import annotations

import math
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django.utils.http import http_date

from ranking import cache as cache_module
from ranking import receivers
from ranking.models import Leaderboard
from tests.support.boards import API, ARGS, CSV, PAGE
from tests.support.factories import five_runs, withdraw


@pytest.fixture
def two(published) -> list:
    return [
        published(system_name="Alpha", runs=five_runs(time_s=1800), accelerator="H100"),
        published(system_name="Beta", framework="JAX 0.4"),
    ]


def text(client, url: str, params: dict | None = None) -> str:
    return client.get(url, params or {}).content.decode()


# Within the TTL (an hour here, so that a slow machine stays inside it) no query; with none, one.
@pytest.mark.parametrize(("ttl", "reads"), [(3600.0, 0), (0, 1)])
def test_it_answers_a_repeated_read_from_the_cache_with_the_same_bytes(
    client, api_client, two, django_assert_num_queries, settings, ttl, reads
) -> None:
    settings.LEADERBOARD_VERSION_TTL_S = ttl
    for c, url in ((client, PAGE), (api_client, API), (api_client, CSV)):
        first = c.get(url, {"sort": "-accelerators"})
        # The board's version names the cached rendering: remembered by the process for the
        # TTL (no query), else read (one query).
        with django_assert_num_queries(reads):
            again = c.get(url, {"sort": "-accelerators"})
        assert again.status_code == 200
        assert again.content == first.content
        assert again["ETag"] == first["ETag"]
        assert again["Content-Type"] == first["Content-Type"]
        assert "public" in again["Cache-Control"] and "max-age=30" in again["Cache-Control"]


def test_it_shows_another_processs_change_within_the_version_ttl(
    api_client, two, published, monkeypatch, settings
) -> None:
    from ranking import services

    now = [1000.0]
    monkeypatch.setattr(cache_module, "_clock", lambda: now[0])
    assert "Gamma" not in text(api_client, API)
    # A change committed elsewhere (the worker's recompute): this process is not told.
    monkeypatch.setattr(services, "forget_versions", lambda: None)
    published(system_name="Gamma", runs=five_runs(time_s=60))
    now[0] += 0.9
    assert "Gamma" not in text(api_client, API)  # the version read 0.9 s ago
    now[0] += 0.2
    assert "Gamma" in text(api_client, API)  # over a second: read again
    settings.LEADERBOARD_VERSION_TTL_S = 0
    published(system_name="Delta", runs=five_runs(time_s=30))
    assert "Delta" in text(api_client, API)  # no TTL: the next request


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
            # Rendered again from the database, not from the cache: the board's rows (and the
            # page's curves; the board's version is remembered).
            with django_assert_max_num_queries(3) as queries:
                c.get(url, params)
            assert any("ranking_leaderboardentry" in q["sql"] for q in queries.captured_queries)
    assert api_client.get(API, {"sort": "password"}).status_code == 400


def test_it_keeps_past_boards_apart_by_date(api_client, two) -> None:
    assert api_client.get(API, {"as_of": "2000-01-01"}).json()["results"] == []
    today = timezone.now().date().isoformat()
    assert len(api_client.get(API, {"as_of": today}).json()["results"]) == 2


HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Allow", "Content-Disposition")


def test_it_answers_a_repeat_from_the_cache_with_what_it_rendered(
    api_client, owner, two, django_assert_num_queries, settings
) -> None:
    from rest_framework.authtoken.models import Token

    settings.LEADERBOARD_VERSION_TTL_S = 3600  # the version stays remembered however slow the machine

    Leaderboard.objects.update(changed_at=timezone.now() - timedelta(minutes=5))  # Last-Modified sent
    token = Token.objects.create(user=owner).key
    for url, params, media in (
        (API, {}, "application/json"),
        (API, {"format": "csv"}, "text/csv"),
        (CSV, {}, "text/csv"),
    ):
        api_client.credentials()
        first = api_client.get(url, params)  # a miss: rendered, and stored
        # Repeats, whatever Accept header takes this representation, are the stored bytes: no
        # query (the board's version is remembered). A signed-in caller gets them too.
        with django_assert_num_queries(0):
            fast = api_client.get(url, params)
            exact = api_client.get(url, params, HTTP_ACCEPT=media)
            weighed = api_client.get(url, params, HTTP_ACCEPT=f"{media};q=0.9, */*;q=0.1")
        for response in (fast, exact, weighed):
            assert response.status_code == 200
            assert response.content == first.content
            assert {h: response.get(h) for h in HEADERS} == {h: first.get(h) for h in HEADERS}
        assert first["ETag"] and first["Last-Modified"]
        # Two representations at one URL vary by Accept; the CSV export has only one.
        assert ("Accept" in first["Vary"]) == (url == API)
        assert first["Content-Type"].startswith(media)
        unchanged = api_client.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"])
        assert unchanged.status_code == 304 and unchanged["Vary"] == first["Vary"]
        assert unchanged["ETag"] == first["ETag"]
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        signed_in = api_client.get(url, params)
        assert signed_in.status_code == 200 and signed_in.content == first.content


def test_it_leaves_what_needs_negotiating_or_a_caller_to_drf(api_client, owner, two) -> None:
    from rest_framework.authtoken.models import Token

    api_client.get(API)
    api_client.get(API, {"format": "csv"})
    assert api_client.get(API, HTTP_ACCEPT="text/csv")["Content-Type"].startswith("text/csv")
    assert api_client.get(API, HTTP_ACCEPT="application/xml").status_code == 406
    assert api_client.get(CSV, {"format": "json"}).status_code == 404  # the CSV export has no JSON
    assert api_client.get(API, {"format": "csv"}, HTTP_ACCEPT="application/json").status_code == 406
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.get(API).status_code == 401  # even with the board cached
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    assert api_client.get(API).status_code == 200


def test_it_throttles_cached_answers_and_counts_each_request_once(api_client, two, monkeypatch) -> None:
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    cache.clear()
    # The first read misses the cache and is counted by DRF; the next two are cached answers.
    statuses = [api_client.get(API).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api_client.get(API)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert api_client.get(API, REMOTE_ADDR="10.0.0.7").status_code == 200  # another caller
