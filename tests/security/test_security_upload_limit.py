"""One upload limit for every path that takes a file, enforced before the body is read.

Each path gets a body one byte over the limit: the answer is 413, no row and no file is
stored, and the request's input stream was never read (the test client's payload records
its first read). Below the limit the same paths accept the same kind of body.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from submissions.models import Submission
from submissions.states import Status
from tests.support.clients import api_as
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hpc-ai500-image-classification-system.tar.gz"


@pytest.fixture(autouse=True)
def media(media_storage, settings, tmp_path) -> Path:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return media_storage


@pytest.fixture
def bundle() -> bytes:
    return EXAMPLE.read_bytes()


@pytest.fixture
def sent_back(owner, org) -> Submission:
    return make_submission(owner, organization=org, status=Status.CHANGES_REQUESTED, reason="Add run 5.")


def _stored(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client, path: str, bundle: bytes, **fields: str):
    data = {"bundle": SimpleUploadedFile("bundle.tar.gz", bundle), **fields}
    return (
        client.post(path, data) if isinstance(client, Client) else client.post(path, data, format="multipart")
    )


def _paths(owner, sent_back):
    correct = {"reason": "Added the fifth run."}
    return {
        "intake API": (api_as(owner), "/api/v1/submissions/", {}),
        "intake form": (_web(owner), "/submissions/new/", {}),
        "corrections API": (
            api_as(owner),
            reverse("api-submission-corrections", args=[sent_back.pk]),
            correct,
        ),
        "corrections form": (_web(owner), reverse("review:correct", args=[sent_back.pk]), correct),
    }


@pytest.mark.parametrize("name", ["intake API", "intake form", "corrections API", "corrections form"])
def test_it_refuses_an_upload_over_the_limit_on_every_path_before_reading_it(
    name, owner, sent_back, bundle, media, settings
):
    settings.UPLOAD_HARD_LIMIT_BYTES = len(bundle) // 2
    client, path, fields = _paths(owner, sent_back)[name]
    before, stored = Submission.objects.count(), _stored(media)

    response = _post(client, path, bundle, **fields)

    assert response.status_code == 413
    assert "nothing was stored" in response.content.decode()
    assert response.wsgi_request.environ["wsgi.input"].read_started is False
    assert Submission.objects.count() == before
    assert _stored(media) == stored
    sent_back.refresh_from_db()
    assert sent_back.status == Status.CHANGES_REQUESTED


@pytest.mark.parametrize("name", ["intake API", "intake form", "corrections API", "corrections form"])
def test_it_accepts_an_upload_under_the_limit_on_every_path(name, owner, sent_back, bundle, media, settings):
    settings.UPLOAD_HARD_LIMIT_BYTES = len(bundle) * 2
    client, path, fields = _paths(owner, sent_back)[name]
    stored = len(_stored(media))

    response = _post(client, path, bundle, **fields)

    assert response.status_code in (201, 202, 302)
    assert len(_stored(media)) == stored + 1


def test_it_answers_the_api_with_json_and_the_limit(owner, bundle, settings):
    settings.UPLOAD_HARD_LIMIT_BYTES = 100

    response = _post(api_as(owner), "/api/v1/submissions/", bundle)

    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert response.json()["limit_bytes"] == 100
    # Refused before anything else runs, and still under the site's Content-Security-Policy.
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_it_refuses_before_authentication_and_routing(bundle, settings):
    # Nothing behind the limit runs for an oversize body: no login redirect, no 404.
    settings.UPLOAD_HARD_LIMIT_BYTES = 100

    for path in ("/submissions/new/", "/api/v1/submissions/", "/no/such/path/"):
        response = Client().post(path, {"bundle": SimpleUploadedFile("b.tar.gz", bundle)})
        assert response.status_code == 413, path
        assert response.wsgi_request.environ["wsgi.input"].read_started is False
