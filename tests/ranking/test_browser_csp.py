"""The Content-Security-Policy in real Chromium: every page loads its scripts and styles with
no violation, and chart labels holding HTML are shown as text, never as live links."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from plotly_css import TARGET, css_text, plotly_rules

from runners.services import job_create_reproduction
from submissions.states import Status
from tests.support.factories import RunSpec, benchmark, level, make_submission, publish, submission_with_runs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVIL = '<a href="https://evil.example/">Evil</a>'
BOARD = reverse("ranking:leaderboard", args=["hpc-ai500", "image-classification", "system"])
# Recorded in the page before any of its own scripts run.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = e.sourceFile + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


@pytest.fixture
def site(owner, org, admin) -> dict[str, str]:
    bench, lvl = benchmark("hpc-ai500", "image-classification"), level("system")
    curve = [{"epoch": e, "time_s": 600.0 * e, "quality": 0.2 + 0.1 * e} for e in range(1, 7)]
    for name, accelerator in ((EVIL, f"{EVIL} chip"), ("Beta", "MI300X")):
        runs = [RunSpec(quality=0.763, time_s=3600.0, samples=1281167 * 90, curve=curve) for _ in range(5)]
        published = submission_with_runs(
            owner=owner, bench=bench, lvl=lvl, runs=runs, system_name=name, accelerator=accelerator
        )
        publish(published)
    pending = make_submission(owner, organization=org, status=Status.AWAITING_REVIEW)
    job = job_create_reproduction(submission=pending, requested_by=admin)
    return {
        "home": reverse("ranking:home"),
        "board": BOARD,
        "submission": reverse("submissions:detail", args=[pending.pk]),
        "published submission": reverse("submissions:detail", args=[published.pk]),
        "my submissions": reverse("submissions:mine"),
        "upload form": reverse("submissions:new"),
        "review queue": reverse("review:queue"),
        "review": reverse("review:detail", args=[pending.pk]),
        "webhooks": reverse("review:webhooks", args=[org.slug]),
        "jobs": reverse("runners:job-list"),
        "job form": reverse("runners:job-new"),
        "job": reverse("runners:job-detail", args=[job.pk]),
        "token": reverse("api-token"),
        "password change": reverse("password_change"),
        "api docs": reverse("swagger-ui"),
        "admin": reverse("admin:index"),
        "admin submissions": reverse("admin:submissions_submission_changelist"),
        "admin submission": reverse("admin:submissions_submission_change", args=[pending.pk]),
    }


@pytest.fixture
def context(browser, live_server, admin) -> Iterator:
    client = Client()
    client.force_login(admin)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    context.add_init_script(LISTEN)
    yield context
    context.close()


def _visit(context, url: str) -> tuple[list[str], object]:
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    violations = [*page.evaluate("window.__csp"), *console]
    return violations, (page, response)


def test_it_loads_every_page_with_no_policy_violation(live_server, site, context) -> None:
    found = {}
    for name, path in site.items():
        violations, (page, response) = _visit(context, live_server.url + path)
        assert response.status == 200, f"{name}: {response.status}"
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if violations:
            found[name] = violations
        page.close()
    assert not found, "\n".join(f"{k}: {len(v)} {sorted(set(x[:110] for x in v))}" for k, v in found.items())


def test_it_loads_the_public_pages_with_no_violation(live_server, site, browser) -> None:
    context = browser.new_context()
    context.add_init_script(LISTEN)
    for path in (
        site["home"],
        site["board"],
        site["published submission"],
        reverse("login"),
        reverse("signup"),
    ):
        violations, (page, response) = _visit(context, live_server.url + path)
        assert response.status == 200 and not violations, (path, violations)
        page.close()
    context.close()


def test_it_serves_the_style_rules_plotly_would_insert(live_server, context) -> None:
    # static/vendor/plotly/plotly.css is plotly's own rules: regenerate it when plotly changes.
    page = context.new_page()
    css = TARGET.read_text()
    assert css_text(plotly_rules(page)) == css


def test_it_shows_html_in_chart_labels_as_text(live_server, site, context) -> None:
    _, (page, _) = _visit(context, live_server.url + BOARD)
    # The efficiency chart's bars are horizontal: results' names, cut to 26 characters, label the y axis.
    page.wait_for_selector("#chart-efficiency .ytick text")
    for chart in ("#chart-scaling", "#chart-efficiency", "#chart-curves"):
        assert page.locator(f"{chart} a").count() == 0, chart
    ticks = page.locator("#chart-efficiency .ytick text").all_text_contents()
    assert any(EVIL[:9] in tick for tick in ticks), ticks  # the markup, shown as text
    legend = page.locator("#chart-scaling .legendtext").all_text_contents()
    assert f"{EVIL} chip" in legend, legend
