"""Private data never leaks: not through boards, CSV, filters, chart JSON, downloads or ids.

One published submission (ranked through the real pipeline: upload, validation, approval,
board recompute) and private ones of the same organization, whose system name is a marker
that must appear nowhere a role may not see it. Each role reads every place data comes out.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from submissions.models import Submission
from submissions.review.services import review_decide
from submissions.states import Status
from tests.support.security_bundles import example

pytestmark = pytest.mark.django_db

SECRET = "SECRET-SYSTEM-7f3a"  # noqa: S105 - a marker, not a password
BOARD = "/leaderboards/hpc-ai500/image-classification/system/"
API_BOARD = "/api/v1/leaderboards/hpc-ai500/image-classification/system/"
ROLES = ("anonymous", "outsider", "member", "reviewer", "admin")


def _upload(user, data: bytes, org) -> Submission:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/api/v1/submissions/",
            {"bundle": SimpleUploadedFile("b.tar.gz", data), "organization": org.slug},
            format="multipart",
        )
    assert response.status_code == 202
    return Submission.objects.get(pk=response.json()["id"])


@pytest.fixture
def world(media_storage, owner, member, outsider, reviewer, admin, org):
    published = _upload(owner, example(), org)
    assert published.status == Status.AWAITING_REVIEW
    with TestCase.captureOnCommitCallbacks(execute=True):
        review_decide(submission=published, decision="approve", actor=admin, reason="Checked.")
    private = _upload(owner, example(system_name=SECRET), org)
    assert private.status == Status.AWAITING_REVIEW
    withdrawn = _upload(owner, example(system_name=SECRET + "-W"), org)
    with TestCase.captureOnCommitCallbacks(execute=True):
        review_decide(submission=withdrawn, decision="approve", actor=admin, reason="Checked.")
        review_decide(submission=withdrawn, decision="withdraw", actor=admin, reason="Withdrawn.")
    users = {"anonymous": None, "outsider": outsider, "member": member, "reviewer": reviewer, "admin": admin}
    return {"published": published, "private": private, "withdrawn": withdrawn, "users": users, "org": org}


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _public_reads(org_name: str) -> list[str]:
    filters = ["", f"?organization={org_name}", "?accelerator=NVIDIA", "?framework=PyTorch", "?sort=-date"]
    return (
        ["/"]
        + [BOARD + q for q in filters]
        + [API_BOARD + q for q in filters]
        + [API_BOARD + "csv/" + q for q in filters]
        + ["/api/v1/submissions/?status=published", "/api/v1/submissions/?suite=hpc-ai500"]
        + ["/systems/", f"/systems/?q={org_name}", "/systems/?q=NVIDIA"]
    )


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_it_shows_no_private_submission_to_those_outside_the_organization(world, role):
    client = _client(world["users"][role])
    hidden = [world["private"], world["withdrawn"]]
    for url in _public_reads(world["org"].name):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        assert SECRET not in text, url
        assert all(str(s.pk) not in text for s in hidden), url
    for submission in hidden:
        for url in (
            f"/submissions/{submission.pk}/",
            f"/submissions/{submission.pk}/bundle/",
            f"/api/v1/submissions/{submission.pk}/",
            f"/api/v1/submissions/{submission.pk}/bundle/",
        ):
            response = client.get(url)
            if role == "anonymous" and url == f"/submissions/{submission.pk}/":
                # asked to log in, as for any id: the answer says nothing of the submission
                assert response.status_code == 302, url
                assert SECRET not in response.content.decode(), url
            else:
                assert response.status_code == 404, url
        compared = client.get("/compare/", {"r": [str(submission.pk), str(world["published"].pk)]})
        assert str(submission.pk) not in compared.content.decode()
    listed = client.get("/api/v1/submissions/?status=awaiting_review").json()
    assert listed["count"] == 0


def test_it_ranks_the_published_one_in_every_output(world):
    published = str(world["published"].pk)
    client = Client()
    assert published in client.get(API_BOARD).content.decode()
    assert published in client.get(API_BOARD + "csv/").content.decode()
    assert b"".join(client.get(f"/api/v1/submissions/{published}/bundle/").streaming_content)


def _json_script(html: str, element_id: str) -> object:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


def test_it_embeds_only_published_data_in_the_chart_json(world):
    for role in ROLES:
        client = _client(world["users"][role])
        page = client.get(BOARD).content.decode()
        chart = json.dumps(_json_script(page, "chart-data"))
        assert SECRET not in chart and str(world["private"].pk) not in chart, role
        detail = client.get(f"/submissions/{world['published'].pk}/").content.decode()
        curves = json.dumps(_json_script(detail, "quality-data"))
        assert SECRET not in curves and str(world["private"].pk) not in curves, role


def test_it_lets_the_organization_and_staff_see_the_private_one(world):
    for role in ("member", "reviewer", "admin"):
        client = _client(world["users"][role])
        assert client.get(f"/submissions/{world['private'].pk}/").status_code == 200, role
        assert SECRET in client.get(f"/api/v1/submissions/{world['private'].pk}/").content.decode(), role
        # ...but never on the public boards, whoever reads them.
        assert SECRET not in client.get(API_BOARD + "csv/").content.decode(), role


GUESSES = [
    "/submissions/1/",
    "/submissions/00000000-0000-0000-0000-000000000000/",
    "/submissions/%s/bundle/",
    "/api/v1/submissions/1/",
    "/api/v1/submissions/not-a-uuid/",
    "/api/v1/submissions/%s/",
    "/api/v1/submissions/%s/bundle/",
    "/api/v1/model-submissions/1/",
    "/api/v1/model-submissions/%s/",
    "/runners/jobs/1/",
    "/runners/jobs/%s/",
    "/review/%s/",
    "/leaderboards/hpc-ai500/no-such-benchmark/system/",
    "/api/v1/leaderboards/hpc-ai500/image-classification/no-such-level/",
]


def test_it_answers_guessed_and_invalid_ids_with_404(world):
    clients = {role: _client(world["users"][role]) for role in ROLES}
    for url in GUESSES:
        target = url % uuid.uuid4() if "%s" in url else url
        for role in ROLES:
            response = clients[role].get(target)
            expected = {404}
            if role == "anonymous":
                expected |= {302, 401}  # asked to log in first: says nothing about the id
            if target.startswith("/review/"):
                expected |= {403}  # not a reviewer: refused before any lookup
            assert response.status_code in expected, (role, target, response.status_code)
    # 404 whether or not the id exists: a private submission's existence is private too.
    assert _client(None).get(f"/api/v1/submissions/{world['private'].pk}/").status_code == 404
