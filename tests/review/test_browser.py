"""Review in real Chromium: approve through /review/ and see the leaderboard; a rejection's reason
reaches the submitter and no one else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.services import submission_transition
from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logged_in(browser, live_server, username: str):
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("form [type=submit]")
    page.wait_for_load_state()
    return page


def test_it_publishes_an_approved_submission_on_the_leaderboard(live_server, browser, reviewer, owner, org):
    submission = make_submission(owner, organization=org, level="system", name="approve-me.tar.gz")
    page = _logged_in(browser, live_server, "reviewer")
    page.goto(live_server.url + reverse("review:queue"))
    page.click(f"#review-queue >> text={submission.title}")  # named by organization and system
    page.wait_for_selector("#curves .main-svg")  # plotly drew the runs' curves
    assert page.locator("#curves .scatterlayer .trace").count() == 5
    page.select_option("select[name=decision]", "approve")
    page.fill("textarea[name=reason]", "Logs, seeds and hyper-parameters check out.")
    page.click("#decision button[type=submit]")
    page.wait_for_url("**/review/")
    assert "Nothing awaits review." in page.content()
    submission.refresh_from_db()
    assert submission.status == Status.PUBLISHED

    board = reverse("ranking:leaderboard", args=["hpc-ai500", "image-classification", "system"])
    visitor = browser.new_page()
    visitor.goto(live_server.url + board)
    assert "example-cluster" in visitor.locator("#leaderboard tbody").inner_text()
    visitor.goto(live_server.url + reverse("submissions:detail", args=[submission.pk]))
    assert "Logs, seeds and hyper-parameters check out." in visitor.content()


def test_it_shows_a_rejections_reason_to_the_submitter_only(
    live_server, browser, reviewer, owner, outsider, org
):
    submission = make_submission(owner, organization=org, name="reject-me.tar.gz")
    submission_transition(
        submission=submission, to=Status.REJECTED, actor=reviewer, reason="Run 4 used a different seed set."
    )
    url = live_server.url + reverse("submissions:detail", args=[submission.pk])

    page = _logged_in(browser, live_server, "owner")
    response = page.goto(url)
    assert response.status == 200
    assert "Run 4 used a different seed set." in page.content()

    outsider_page = _logged_in(browser, live_server, "outsider")
    response = outsider_page.goto(url)
    assert response.status == 404
    assert "Run 4 used a different seed set." not in outsider_page.content()
    # A logged-out visitor is asked to log in, and sees nothing of the submission meanwhile.
    anonymous = browser.new_page()
    anonymous.goto(url)
    assert "/accounts/login/?next=" in anonymous.url
    assert "Run 4 used a different seed set." not in anonymous.content()
