"""/submissions/new/: the upload form for logged-in submitters."""

from __future__ import annotations

import io

import pytest
from django.test import TestCase

from submissions.models import Submission
from submissions.states import Status

pytestmark = pytest.mark.django_db


def _file(data: bytes, name: str = "resnet.tar.gz") -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def _post(client, data: dict):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/submissions/new/", data)
    # Followed once the validation that the commit queued has run.
    return client.get(response["Location"]) if response.status_code == 302 else response


def test_it_shows_the_form_with_the_users_organizations(client, owner, org, other_org):
    client.force_login(owner)

    page = client.get("/submissions/new/").content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert org.name in page
    assert other_org.name not in page


def test_it_stores_the_bundle_and_redirects_to_its_page(client, owner, org, valid_bundle):
    client.force_login(owner)

    response = _post(client, {"bundle": _file(valid_bundle), "organization": org.pk})

    submission = Submission.objects.get()
    assert response.request["PATH_INFO"] == f"/submissions/{submission.pk}/"
    assert submission.owner == owner
    assert submission.organization == org
    assert submission.status == Status.AWAITING_REVIEW
    page = response.content.decode()
    assert "resnet.tar.gz was received" in page
    assert "Awaiting review" in page


def test_it_refuses_an_organization_the_user_is_not_in(client, owner, other_org, valid_bundle):
    client.force_login(owner)

    response = client.post("/submissions/new/", {"bundle": _file(valid_bundle), "organization": other_org.pk})

    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_it_refuses_an_empty_file(client, owner):
    client.force_login(owner)

    response = client.post("/submissions/new/", {"bundle": _file(b"")})

    assert response.status_code == 400
    assert "The file is empty" in response.content.decode()
    assert not Submission.objects.exists()


def test_it_refuses_an_upload_over_the_hard_limit(client, owner, valid_bundle, settings):
    settings.UPLOAD_HARD_LIMIT_BYTES = 100
    client.force_login(owner)

    response = client.post("/submissions/new/", {"bundle": _file(valid_bundle)})

    assert response.status_code == 413
    assert "nothing was stored" in response.content.decode()
    assert not Submission.objects.exists()


def test_it_checks_the_csrf_token(owner, valid_bundle):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post("/submissions/new/", {"bundle": _file(valid_bundle)})

    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_it_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/submissions/new/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
