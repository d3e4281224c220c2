"""The bundle download: the stored bytes, unchanged, named and with their sha256."""

from __future__ import annotations

import base64
import hashlib

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/submissions/{}/bundle/", "/submissions/{}/bundle/"])
def test_it_streams_the_original_bytes_with_their_digest(path, owner, client, submission, valid_bundle):
    client.force_login(owner)

    response = client.get(path.format(submission.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == valid_bundle
    digest = hashlib.sha256(valid_bundle).digest()
    assert response["X-Bundle-SHA256"] == digest.hex()
    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"
    assert response["Content-Disposition"] == 'attachment; filename="resnet.tar.gz"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Length"] == str(len(valid_bundle))


def test_it_serves_a_client_that_asks_for_octet_stream(owner_api, submission, valid_bundle):
    url = f"/api/v1/submissions/{submission.pk}/bundle/"

    response = owner_api.get(url, HTTP_ACCEPT="application/octet-stream")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == valid_bundle
