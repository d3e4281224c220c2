"""POST /api/v1/submissions/: a bundle in, 202 and the submission's URL out."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from submissions.models import Submission
from submissions.states import Status
from tests.support.intake_bundles import upload

pytestmark = pytest.mark.django_db


def test_it_accepts_a_bundle_and_answers_202_with_its_url(owner_api, owner, valid_bundle):
    response = upload(owner_api, valid_bundle, "resnet.tar.gz")

    assert response.status_code == 202
    body = response.json()
    submission = Submission.objects.get()
    assert body["id"] == str(submission.pk)
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"/api/v1/submissions/{submission.pk}/")
    assert body["links"]["html"].endswith(f"/submissions/{submission.pk}/")
    assert body["links"]["bundle"].endswith(f"/api/v1/submissions/{submission.pk}/bundle/")
    assert submission.owner == owner
    assert submission.bundle_name == "resnet.tar.gz"
    assert submission.bundle_size == len(valid_bundle)


def test_it_validates_the_bundle_in_the_task(owner_api, valid_bundle):
    upload(owner_api, valid_bundle)

    submission = Submission.objects.get()
    assert submission.status == Status.AWAITING_REVIEW
    assert submission.suite.slug == "aibench-training"
    assert submission.runs.count() == 3
    assert [e.to_status for e in submission.events.all()] == [
        Status.RECEIVED,
        Status.VALIDATING,
        Status.AWAITING_REVIEW,
    ]


def test_it_files_the_submission_under_an_organization_of_the_owner(owner_api, org, valid_bundle):
    response = upload(owner_api, valid_bundle, organization=org.slug)

    assert response.status_code == 202
    assert response.json()["organization"] == org.slug
    assert Submission.objects.get().organization == org


def test_it_refuses_an_organization_the_owner_is_not_in(owner_api, other_org, valid_bundle):
    response = upload(owner_api, valid_bundle, organization=other_org.slug)

    assert response.status_code == 400
    assert "not a member" in response.json()["organization"][0]
    assert not Submission.objects.exists()


def test_it_requires_authentication(valid_bundle):
    response = upload(APIClient(), valid_bundle)

    assert response.status_code == 401
    assert not Submission.objects.exists()


def test_it_refuses_a_request_that_is_not_multipart(owner_api):
    response = owner_api.post("/api/v1/submissions/", {"bundle": "x"}, format="json")

    assert response.status_code == 415


@pytest.fixture
def two_uploads_a_minute(monkeypatch):
    # DRF reads the rates once, at import: set them on the throttle class itself.
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"uploads": "2/minute"})
    cache.clear()
    yield
    cache.clear()


def test_it_throttles_uploads_but_not_reads(owner_api, valid_bundle, two_uploads_a_minute):
    codes = [upload(owner_api, valid_bundle).status_code for _ in range(3)]

    assert codes == [202, 202, 429]
    assert Submission.objects.count() == 2
    assert owner_api.get("/api/v1/submissions/").status_code == 200
