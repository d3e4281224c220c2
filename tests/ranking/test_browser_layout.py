"""Every reader's page in real Chromium at 1400 and 390 px: nothing cut off, no sideways
scrolling, and on a phone each board row still shows rank, organization, system and score."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ranking.system_selectors import system_slugs
from tests.support.browser_checks import WIDTHS, assert_nothing_cut_off, assert_within_viewport, new_page
from tests.support.reader_world import LONG_ORGANIZATION, LONG_SYSTEM, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOARDS = [
    ("hpc-ai500", "image-classification", "system", ""),
    ("hpc-ai500", "image-classification", "system", "?category=preview"),
    ("hpc-ai500", "image-classification", "free", ""),
    ("aibench-training", "image-classification", "system", ""),
    ("hpc-ai500", "image-classification", "system", "?profile=smoke"),
]


@pytest.fixture
def world(owner):
    return build_world(owner)


@pytest.mark.parametrize("width", WIDTHS)
def test_it_fits_the_home_page_at_every_width(live_server, world, browser, width) -> None:
    page = new_page(browser, width)
    page.goto(live_server.url + reverse("ranking:home"))
    assert_nothing_cut_off(page, "home")
    # every board's leader: organization, system and score on screen
    leaders = page.locator("td.c-leader a").count()
    assert leaders >= 3
    assert assert_within_viewport(page, "td.c-leader a") == leaders
    assert assert_within_viewport(page, "td.c-score:not(:empty)") == leaders


@pytest.mark.parametrize("width", WIDTHS)
def test_it_fits_every_board_at_every_width(live_server, world, browser, width) -> None:
    page = new_page(browser, width)
    for suite, bench, lvl, query in BOARDS:
        page.goto(live_server.url + reverse("ranking:leaderboard", args=[suite, bench, lvl]) + query)
        page.wait_for_load_state("networkidle")
        assert_nothing_cut_off(page, f"board {suite} {bench} {lvl} {query}")
        rows = page.locator("#leaderboard tbody tr").count()
        assert rows >= 1
        for cell in ("c-rank", "c-org", "c-system", "c-score"):
            assert assert_within_viewport(page, f"#leaderboard tbody td.{cell}") == rows, (query, cell)


@pytest.mark.parametrize("width", WIDTHS)
def test_it_fits_the_result_system_and_comparison_pages(live_server, world, browser, width) -> None:
    page = new_page(browser, width)
    long = world.results["long"]
    pages = {
        "result": reverse("submissions:detail", args=[long.pk]),
        "systems": reverse("ranking:systems"),
        "system": reverse("ranking:system", args=system_slugs(LONG_ORGANIZATION, LONG_SYSTEM)),
        "compare": reverse("ranking:compare")
        + "?"
        + "&".join(f"r={world.results[k].pk}" for k in ("alpha", "long", "free", "cpu")),
        "not-found": "/no/such/page/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert_nothing_cut_off(page, name)
