"""Who may reach what: every named route of the project, for every role.

The routes come from the URL resolver itself (everything outside admin/ and static), so a
route added without an entry here fails `test_it_has_an_entry_for_every_route`: decide who
may use it, then add it to MATRIX.

Each entry gives the status code expected for (anonymous, owner, member, outsider,
reviewer, admin) against a private submission of `owner` for `org` that awaits review.
State-changing routes get a fresh object for each role, so one role's success does not
change what the next one sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ranking.system_selectors import system_slugs
from submissions.models import Organization, Submission, Webhook
from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "member", "outsider", "reviewer", "admin")
SKIPPED_PREFIXES = ("admin/", "static/", "media/")

LOGIN = 302  # a page that needs a user redirects anonymous visitors to the login page
UNAUTH = 401  # the API answers an anonymous client 401 (token authentication)


@dataclass
class World:
    """The fixed cast and what they act on."""

    users: dict[str, User | None]
    org: Organization
    other_org: Organization

    def private(self, status: str = Status.AWAITING_REVIEW) -> Submission:
        return make_submission(self.users["owner"], organization=self.org, status=status)

    def webhook(self) -> Webhook:
        return Webhook.objects.create(organization=self.org, url="https://ci.example.org/h", secret="s" * 64)


Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    expect: tuple[int, int, int, int, int, int]
    method: str = "get"
    kwargs: Kwargs = field(default=lambda w: {})
    data: dict[str, Any] = field(default_factory=dict)
    # Data that names an object made for the role (a bulk decision's submissions).
    data_from: Callable[[World], dict[str, Any]] | None = None


def _sub(status: str = Status.AWAITING_REVIEW) -> Kwargs:
    return lambda w: {"submission_id": w.private(status).pk}


def _system_of(submission: Submission) -> dict[str, str]:
    organization, system_name = system_slugs(
        submission.organization_name or "x", submission.system_name or "x"
    )
    return {"organization": organization, "system_name": system_name}


def _job() -> Kwargs:
    def make(w: World) -> dict[str, Any]:
        from runners.services import job_create_reproduction

        return {"job_id": job_create_reproduction(submission=w.private(), requested_by=w.users["owner"]).pk}

    return make


BOARD = {"suite": "hpc-ai500", "benchmark": "image-classification", "level": "system"}
REASON = {"reason": "Permission matrix."}

#                                       anon    owner member outsider reviewer admin
MATRIX: dict[str, Case] = {
    # --- public pages and documents
    "healthz": Case((200, 200, 200, 200, 200, 200)),
    "readyz": Case((200, 200, 200, 200, 200, 200)),
    "ranking:home": Case((200, 200, 200, 200, 200, 200)),
    "ranking:leaderboard": Case((200, 200, 200, 200, 200, 200), kwargs=lambda w: BOARD),
    "ranking:systems": Case((200, 200, 200, 200, 200, 200)),
    # An unpublished result's system has no public page, not even for its owner.
    "ranking:system": Case((404, 404, 404, 404, 404, 404), kwargs=lambda w: _system_of(w.private())),
    "ranking:compare": Case((200, 200, 200, 200, 200, 200)),
    "api-leaderboard": Case((200, 200, 200, 200, 200, 200), kwargs=lambda w: BOARD),
    "api-leaderboard-csv": Case((200, 200, 200, 200, 200, 200), kwargs=lambda w: BOARD),
    "api-benchmarks": Case((200, 200, 200, 200, 200, 200)),
    "schema": Case((200, 200, 200, 200, 200, 200)),
    "swagger-ui": Case((200, 200, 200, 200, 200, 200)),
    "docs-bundle-format": Case((200, 200, 200, 200, 200, 200)),
    # --- accounts
    "signup": Case((200, 302, 302, 302, 302, 302)),
    "api-token": Case((LOGIN, 200, 200, 200, 200, 200)),
    "login": Case((200, 200, 200, 200, 200, 200)),
    "logout": Case((302, 302, 302, 302, 302, 302), method="post"),
    "password_change": Case((LOGIN, 200, 200, 200, 200, 200)),
    "password_change_done": Case((LOGIN, 200, 200, 200, 200, 200)),
    "password_reset": Case((200, 200, 200, 200, 200, 200)),
    "password_reset_done": Case((200, 200, 200, 200, 200, 200)),
    "password_reset_confirm": Case(
        (200, 200, 200, 200, 200, 200), kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Case((200, 200, 200, 200, 200, 200)),
    # --- intake: a private submission is visible to its owner, the organization and staff only
    "submissions:mine": Case((LOGIN, 200, 200, 200, 200, 200)),
    "submissions:new": Case((LOGIN, 200, 200, 200, 200, 200)),
    # A logged-out owner following an email's link is asked to log in.
    "submissions:detail": Case((LOGIN, 200, 200, 404, 200, 200), kwargs=_sub()),
    "submissions:bundle": Case((404, 200, 200, 404, 200, 200), kwargs=_sub()),
    # Published submissions are listed to everyone; the list holds only what the user may see.
    "api-submission-list": Case((200, 200, 200, 200, 200, 200)),
    "api-submission-detail": Case((404, 200, 200, 404, 200, 200), kwargs=_sub()),
    "api-submission-bundle": Case((404, 200, 200, 404, 200, 200), kwargs=_sub()),
    "api-submission-findings": Case((404, 200, 200, 404, 200, 200), kwargs=_sub()),
    # --- review (staff in the Reviewers group)
    "review:queue": Case((LOGIN, 403, 403, 403, 200, 200)),
    "review:detail": Case((LOGIN, 403, 403, 403, 200, 200), kwargs=_sub()),
    "review:decide": Case(
        (LOGIN, 403, 403, 403, 302, 302), "post", _sub(), {"decision": "approve", "public": "on", **REASON}
    ),
    "review:reproduce": Case((LOGIN, 403, 403, 403, 302, 302), "post", _sub(), REASON),
    "review:bulk-decide": Case(
        (LOGIN, 403, 403, 403, 302, 302),
        "post",
        data_from=lambda w: {"submissions": [w.private().pk], "decision": "reject", "public": "on", **REASON},
    ),
    # --- the review API (reviewers; the matrix's clients sign in with a session)
    "api-review-queue": Case((UNAUTH, 403, 403, 403, 200, 200)),
    "api-review-detail": Case((UNAUTH, 403, 403, 403, 200, 200), kwargs=_sub()),
    "api-review-decision": Case(
        (UNAUTH, 403, 403, 403, 200, 200), "post", _sub(), {"decision": "approve", **REASON}
    ),
    "api-review-bulk-decision": Case(
        (UNAUTH, 403, 403, 403, 200, 200),
        "post",
        data_from=lambda w: {"submissions": [str(w.private().pk)], "decision": "reject", **REASON},
    ),
    "api-review-reproductions": Case((UNAUTH, 403, 403, 403, 201, 201), "post", _sub(), REASON),
    "review:reproductions-refresh": Case((LOGIN, 403, 403, 403, 302, 302), "post", _sub()),
    # --- the submitting side's actions
    "review:withdraw": Case((LOGIN, 302, 302, 404, 302, 302), "post", _sub(), REASON),
    "api-submission-withdraw": Case((UNAUTH, 200, 200, 404, 200, 200), "post", _sub(), REASON),
    "review:correct": Case((LOGIN, 200, 200, 404, 403, 403), kwargs=_sub(Status.CHANGES_REQUESTED)),
    # A multipart POST without a bundle: 400 means the role got past the permission checks.
    "api-submission-corrections": Case(
        (UNAUTH, 400, 400, 404, 400, 400), "post", _sub(Status.CHANGES_REQUESTED), REASON
    ),
    # --- webhooks: managers of the organization (and superusers)
    # 404, not 403, for the others: which organizations exist is not told.
    "review:webhooks": Case((LOGIN, 404, 404, 404, 404, 200), kwargs=lambda w: {"slug": w.org.slug}),
    "review:webhook-toggle": Case(
        (LOGIN, 404, 404, 404, 404, 302), "post", lambda w: {"webhook_id": w.webhook().pk}
    ),
    "signup-activate": Case(
        (400, 400, 400, 400, 400, 400), kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}
    ),
    # --- model submissions run on our runners: a job is private like a submission
    "runners:job-list": Case((LOGIN, 200, 200, 200, 200, 200)),
    "runners:job-new": Case((LOGIN, 200, 200, 200, 200, 200)),
    "runners:job-detail": Case((LOGIN, 200, 404, 404, 200, 200), kwargs=_job()),
    "runners:job-cancel": Case((LOGIN, 302, 404, 404, 302, 302), "post", _job()),
    # An empty POST: 400 means the role got past the permission checks.
    "api-model-submissions": Case((UNAUTH, 400, 400, 400, 400, 400), "post"),
    "api-model-submission-detail": Case((UNAUTH, 200, 404, 404, 200, 200), kwargs=_job()),
    "api-model-submission-cancel": Case((UNAUTH, 200, 404, 404, 200, 200), "post", _job()),
    # --- runner hosts authenticate with their own tokens, never with a user's session
    "api-runner-host-report": Case((401, 401, 401, 401, 401, 401), "post"),
    "api-runner-heartbeat": Case((401, 401, 401, 401, 401, 401), "post", _job()),
    "api-runner-progress": Case((401, 401, 401, 401, 401, 401), "post", _job()),
    "api-runner-bundle": Case((401, 401, 401, 401, 401, 401), "post", _job()),
    "api-runner-failure": Case((401, 401, 401, 401, 401, 401), "post", _job()),
    "api-runner-scheduler": Case((401, 401, 401, 401, 401, 401), "post", _job()),
}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            yield namespace + (pattern.name or f"<unnamed {route}>"), route


def project_routes() -> dict[str, str]:
    """Every route's name and pattern, outside the admin and static files."""
    return {
        name: route
        for name, route in _walk(get_resolver().url_patterns)
        if not route.lstrip("^").startswith(SKIPPED_PREFIXES)
    }


def test_it_has_an_entry_for_every_route():
    routes = project_routes()
    unknown = sorted(f"{name} ({route})" for name, route in routes.items() if name not in MATRIX)
    assert not unknown, "Routes missing from the permission matrix: " + ", ".join(unknown)
    stale = sorted(set(MATRIX) - set(routes))
    assert not stale, "Matrix entries for routes that no longer exist: " + ", ".join(stale)


@pytest.fixture
def world(owner, member, outsider, reviewer, admin, org, other_org) -> World:
    users = {"anonymous": None, "owner": owner, "member": member, "outsider": outsider}
    return World(users={**users, "reviewer": reviewer, "admin": admin}, org=org, other_org=other_org)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_it_gives_each_role_the_expected_access(name, world):
    case = MATRIX[name]
    got = {}
    for role in ROLES:
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        url = reverse(name, kwargs=case.kwargs(world))
        data = case.data_from(world) if case.data_from else case.data
        response = getattr(client, case.method)(url, data)
        got[role] = response.status_code
    expected = dict(zip(ROLES, case.expect, strict=True))
    assert got == expected, f"{name}: expected {expected}, got {got}"
