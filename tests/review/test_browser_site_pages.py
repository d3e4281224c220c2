"""The site's own pages in real Chromium, at 1400 and 390 px: error pages in the site's layout,
a logged-out owner's way to their private submission, and a page that follows validation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from submissions.services import submission_transition
from submissions.states import Status
from tests.support.browser_checks import WIDTHS, assert_nothing_cut_off, new_page
from tests.support.factories import make_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("main form [type=submit]")
    page.wait_for_load_state()


def _private(owner, org, status: str = Status.AWAITING_REVIEW):
    return make_submission(owner, organization=org, status=status)


@pytest.mark.parametrize("width", WIDTHS)
def test_it_shows_errors_in_the_sites_layout(live_server, browser, owner, width) -> None:
    page = new_page(browser, width)
    response = page.goto(live_server.url + "/no/such/page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.locator("header.site-header nav a", has_text="Leaderboards").is_visible()
    assert page.locator(".site-search input").is_visible()
    assert_nothing_cut_off(page, "404")

    _log_in(page, live_server, "owner")
    response = page.goto(live_server.url + reverse("review:queue"))  # reviewers only
    assert response.status == 403
    assert page.locator("h1").inner_text() == "You may not do this"
    assert page.locator("header.site-header nav a", has_text="My submissions").is_visible()
    assert_nothing_cut_off(page, "403")


@pytest.mark.parametrize("width", WIDTHS)
def test_it_asks_a_logged_out_owner_to_log_in_and_brings_them_back(
    live_server, browser, owner, org, width
) -> None:
    submission = _private(owner, org)
    page = new_page(browser, width)
    url = live_server.url + reverse("submissions:detail", args=[submission.pk])
    page.goto(url)  # the link in a status email, followed logged out
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "password")
    page.click("main form [type=submit]")
    page.wait_for_url(url)
    assert submission.title in page.locator("h1").inner_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_shows_the_new_status_without_a_reload(live_server, browser, owner, org, width) -> None:
    submission = _private(owner, org, status=Status.VALIDATING)
    page = new_page(browser, width)
    _log_in(page, live_server, "owner")
    page.goto(live_server.url + reverse("submissions:detail", args=[submission.pk]))
    assert page.locator("#status").inner_text() == "Validating"
    assert page.locator("#polling-note").is_visible()
    submission_transition(
        submission=submission, to=Status.AWAITING_REVIEW, actor=None, reason="Validation passed."
    )
    # no reload from here: the page's script notices the change
    # Polled from the test, not by a string evaluated in the page: the site's CSP forbids eval.
    expect(page.locator("#status")).to_have_text("Awaiting review", timeout=20000)
    assert page.locator("#polling-note").count() == 0  # settled: nothing more to wait for
    assert_nothing_cut_off(page, "submission after validation")
