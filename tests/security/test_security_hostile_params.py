"""Every public URL, driven with hostile values for each parameter: never a 500.

The routes come from the URL resolver (as in the permission matrix), so a new page is
driven too. Each is requested anonymously and as staff, once per (parameter, value); the
answer may be anything but a server error. The parameters the pages and the API read are
then checked for the 400 and the message that names what was wrong.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.text import slugify

from runners.services import job_create_reproduction
from submissions.models import Webhook
from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db

PARAMS = [
    "page", "page_size", "as_of", "sort", "status", "suite", "benchmark", "level", "accelerator",
    "framework", "organization", "category", "profile", "format", "ranking_metric",
]  # fmt: skip
HOSTILE = [
    "9999-12-31", "0001-01-01", "-1", "0", "99999999999999999999", "1e309", "NaN", "a\x00b",
    "' OR '1'='1", "x" * 5000, "\u202e\ufeff", "last", "<script>",
]  # fmt: skip
SKIPPED = ("admin/", "static/", "media/")
# The schema reads only these (and is costly to build): the rest add nothing there.
OWN_PARAMS = {"/api/schema/": ["format", "lang", "version"]}
BOARD = {"suite": "hpc-ai500", "benchmark": "image-classification", "level": "system"}


def _routes() -> list[tuple[str, str]]:
    found = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    route,
                    namespace + (f"{pattern.namespace}:" if pattern.namespace else ""),
                )
            elif isinstance(pattern, URLPattern) and pattern.name and not route.startswith(SKIPPED):
                found.append((namespace + pattern.name, route))

    walk(get_resolver().url_patterns, "", "")
    return found


@pytest.fixture
def urls(owner, org) -> list[str]:
    submission = make_submission(owner, organization=org, status=Status.PUBLISHED)
    job = job_create_reproduction(submission=submission, requested_by=owner)
    webhook = Webhook.objects.create(organization=org, url="https://ci.example.org/h", secret="s" * 64)
    values = {
        "submission_id": submission.pk, "job_id": job.pk, "slug": org.slug, "webhook_id": webhook.pk,
        "uidb64": "MQ", "token": "set-password", **BOARD,
        "organization": org.slug, "system_name": slugify(submission.system_name) or "system",
    }  # fmt: skip
    out = []
    for name, route in _routes():
        wanted = [key for key in values if f"<{key}>" in route or f":{key}>" in route]
        out.append(reverse(name, kwargs={key: values[key] for key in wanted}))
    return out


def test_it_never_answers_a_hostile_parameter_with_a_server_error(urls, reviewer):
    anonymous, staff = Client(raise_request_exception=False), Client(raise_request_exception=False)
    staff.force_login(reviewer)
    failures = []
    for url in urls:
        # Staff where an anonymous visitor is sent away: there the parameters reach the view.
        client = anonymous if anonymous.get(url).status_code not in (302, 401, 403) else staff
        for param in OWN_PARAMS.get(url, PARAMS):
            for value in HOSTILE:
                status = client.get(url, {param: value}).status_code
                if status >= 500:
                    failures.append(f"GET {url}?{param}={value[:20]!r}: {status}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:50])


BOARD_PAGE = "/leaderboards/hpc-ai500/image-classification/system/"
BOARD_API = "/api/v1/leaderboards/hpc-ai500/image-classification/system/"


@pytest.mark.parametrize("url", [BOARD_PAGE, BOARD_API, BOARD_API + "csv/"])
@pytest.mark.parametrize(
    ("param", "value", "says"),
    [
        ("as_of", "9999-12-31", "as_of"),
        ("as_of", "yesterday", "date"),
        ("page", "99999999999999999999", "page"),
        ("page", "0", "page"),
    ],
)
def test_it_answers_an_out_of_range_board_parameter_400_with_a_message(client, db, url, param, value, says):
    response = client.get(url, {param: value})
    assert response.status_code == 400
    assert says in response.content.decode().lower()


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"page": "99999999999999999999"}, "page"),
        ({"page": "2"}, "past the last page"),
        ({"page_size": "100000"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"status": "nonsense"}, "status"),
        ({"suite": "a\x00b"}, "nul"),
        ({"suite": "x" * 5000}, "longer than"),
    ],
)
def test_it_answers_an_out_of_range_list_parameter_400_with_a_message(client, db, query, says):
    response = client.get("/api/v1/submissions/", query)
    assert response.status_code == 400
    assert says in response.content.decode().lower()


def test_it_pages_the_submission_list_with_page_size(client, owner, org):
    for _ in range(3):
        make_submission(owner, organization=org, status=Status.PUBLISHED)
    first = client.get("/api/v1/submissions/", {"page_size": "2"}).json()
    assert len(first["results"]) == 2 and first["count"] == 3 and "page_size=2" in first["next"]
