"""Hostile archives through the upload API: stored untouched, invalid with their finding,
and the original bytes downloadable by their owner (and nobody outside the organization)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from submissions.models import Submission
from submissions.states import Status
from tests.support.hostile_archives import bomb_tar_gz, in_memory_corpus

pytestmark = pytest.mark.django_db
CORPUS = in_memory_corpus()
E2E = ["zip slip (zip)", "symlink", "non-UTF-8 name (tar)", "100,000 tiny files (zip)"]


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture(autouse=True)
def _local_media(media_storage) -> None:
    """Each test stores files in its own folder."""


def _upload_and_check(data: bytes, name: str, code: str, owner, outsider, org) -> None:
    client = _client(owner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/api/v1/submissions/",
            {"bundle": SimpleUploadedFile(name, data), "organization": org.slug},
            format="multipart",
        )
    assert response.status_code == 202, response.content[:300]
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.bundle_name == name
    with submission.bundle.open("rb") as stored:
        assert stored.read() == data  # untouched, byte for byte
    assert submission.status == Status.INVALID
    assert code in set(submission.findings.filter(severity="error").values_list("code", flat=True))
    download = client.get(f"/api/v1/submissions/{submission.pk}/bundle/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert download["X-Bundle-SHA256"] == hashlib.sha256(data).hexdigest()
    assert download["Content-Type"] == "application/octet-stream"
    assert _client(outsider).get(f"/api/v1/submissions/{submission.pk}/bundle/").status_code == 404
    assert APIClient().get(f"/api/v1/submissions/{submission.pk}/bundle/").status_code == 404


@pytest.mark.parametrize("case", E2E)
def test_it_stores_a_hostile_upload_untouched_and_rejects_it(case, owner, outsider, org):
    build, name, code = CORPUS[case]
    _upload_and_check(build(), name, code, owner, outsider, org)


def test_it_stores_a_ten_gib_bomb_untouched_and_rejects_it(owner, outsider, org, tmp_path):
    data = bomb_tar_gz(tmp_path / "bomb.tar.gz").read_bytes()
    _upload_and_check(data, "bomb.tar.gz", "archive.bomb_ratio", owner, outsider, org)
