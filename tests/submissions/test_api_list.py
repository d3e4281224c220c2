"""GET /api/v1/submissions/: the submissions the user may see, filtered."""

from __future__ import annotations

import io

import pytest
from django.test import TestCase

from submissions.services import submission_create
from submissions.states import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken(owner):
    with TestCase.captureOnCommitCallbacks(execute=True):
        created, _ = submission_create(owner=owner, bundle=io.BytesIO(b"garbage"), bundle_name="broken.zip")
    return created


def _ids(client, query: str = "") -> set[str]:
    response = client.get(f"/api/v1/submissions/{query}")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_it_lists_the_users_submissions(owner_api, submission, broken):
    body = owner_api.get("/api/v1/submissions/").json()

    assert body["count"] == 2
    row = next(r for r in body["results"] if r["id"] == str(submission.pk))
    assert row["status"] == Status.AWAITING_REVIEW
    assert row["benchmark"] == "image-classification"
    assert row["url"].endswith(f"/api/v1/submissions/{submission.pk}/")


def test_it_filters_by_status(owner_api, submission, broken):
    assert _ids(owner_api, "?status=invalid") == {str(broken.pk)}
    assert _ids(owner_api, "?status=awaiting_review") == {str(submission.pk)}


def test_it_filters_by_suite_benchmark_and_level(owner_api, submission, broken):
    assert _ids(owner_api, "?suite=aibench-training") == {str(submission.pk)}
    assert _ids(owner_api, "?suite=hpc-ai500") == set()
    assert _ids(owner_api, "?benchmark=image-classification&level=system") == {str(submission.pk)}
    assert _ids(owner_api, "?level=free") == set()


def test_it_refuses_an_unknown_status(owner_api):
    response = owner_api.get("/api/v1/submissions/?status=approved")

    assert response.status_code == 400
    assert "status" in response.json()
