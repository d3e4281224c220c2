"""The leaderboard in real Chromium: the table and its charts, sorting and filtering by URL."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest
from django.urls import reverse

from tests.support.factories import RunSpec, benchmark, level, publish, submission_with_runs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PATH = reverse("ranking:leaderboard", args=["hpc-ai500", "image-classification", "system"])


@pytest.fixture
def page(browser) -> Iterator:
    yield browser.new_page(viewport={"width": 1200, "height": 900})


@pytest.fixture
def board(owner) -> None:
    bench, lvl = benchmark("hpc-ai500", "image-classification"), level("system")
    curve = [{"epoch": e, "time_s": 600.0 * e, "quality": 0.2 + 0.1 * e} for e in range(1, 7)]
    systems = [
        ("Alpha", "H100", 4, 1800.0),
        ("Beta", "MI300X", 8, 3600.0),
        ("Gamma", "H100", 1, 7200.0),
    ]
    on_board = partial(submission_with_runs, owner=owner, bench=bench, lvl=lvl)
    for name, accelerator, nodes, time_s in systems:
        runs = [RunSpec(quality=0.763, time_s=time_s, samples=1281167 * 90, curve=curve) for _ in range(5)]
        submission = on_board(runs=runs, system_name=name, accelerator=accelerator, nodes=nodes)
        publish(submission)  # transactional test: the after-commit signal ranks it at once


def systems(page) -> list[str]:
    return page.locator("#leaderboard tbody tr td:nth-child(3) a").all_inner_texts()


def test_it_renders_the_table_and_the_charts(live_server, board, page) -> None:
    page.goto(live_server.url + PATH)
    assert systems(page) == ["Alpha", "Beta", "Gamma"]
    page.wait_for_selector("#chart-scaling .main-svg")
    assert page.locator("#chart-scaling .scatterlayer .point").count() == 3
    assert page.locator("#chart-curves .scatterlayer .trace").count() == 15  # 3 results x 5 runs
    assert page.locator("#chart-efficiency .barlayer .point").count() == 3


def test_it_sorts_and_filters_through_the_url(live_server, board, page) -> None:
    page.goto(live_server.url + PATH)
    page.click("th a[data-sort=accelerators]")
    page.wait_for_url("**sort=accelerators**")
    assert systems(page) == ["Gamma", "Alpha", "Beta"]  # 8, 32, 64 accelerators
    page.click("th a[data-sort=accelerators]")
    page.wait_for_url("**sort=-accelerators**")
    assert systems(page) == ["Beta", "Alpha", "Gamma"]

    page.select_option("select[name=accelerator]", "H100")
    page.click("form.board-form button[type=submit]")
    page.wait_for_url("**accelerator=H100**")
    assert "sort=-accelerators" in page.url
    assert systems(page) == ["Alpha", "Gamma"]
    page.wait_for_selector("#chart-scaling .main-svg")
    assert page.locator("#chart-scaling .scatterlayer .point").count() == 2

    # The URL alone reproduces the view: share it and the same rows come back.
    shared = page.url
    page.goto(live_server.url + PATH)
    page.goto(shared)
    assert systems(page) == ["Alpha", "Gamma"]
