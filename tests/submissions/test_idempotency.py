"""Idempotency-Key: a CI retry returns the submission it already made, never a duplicate."""

from __future__ import annotations

import pytest

from submissions.bundles.pack import pack_files
from submissions.models import StatusEvent, Submission
from tests.support.clients import api_as
from tests.support.intake_bundles import bundle_files, stored_bundles, training_log, upload

pytestmark = pytest.mark.django_db


def test_it_returns_the_same_submission_for_the_same_key(owner_api, valid_bundle, settings):
    first = upload(owner_api, valid_bundle, key="ci-job-4711")
    second = upload(owner_api, valid_bundle, key="ci-job-4711")

    assert first.status_code == 202
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second["Location"] == first["Location"]
    assert Submission.objects.count() == 1
    assert StatusEvent.objects.filter(to_status="received").count() == 1
    assert [p.parent.name for p in stored_bundles(settings)] == [first.json()["id"]]


def test_it_keeps_keys_apart_between_users(owner_api, member, valid_bundle):
    first = upload(owner_api, valid_bundle, key="nightly")
    second = upload(api_as(member), valid_bundle, key="nightly")

    assert first.status_code == second.status_code == 202
    assert first.json()["id"] != second.json()["id"]
    assert Submission.objects.count() == 2


def test_it_makes_a_new_submission_without_a_key(owner_api, valid_bundle):
    upload(owner_api, valid_bundle)
    upload(owner_api, valid_bundle)

    assert Submission.objects.count() == 2


def test_it_refuses_a_reused_key_with_another_bundle(owner_api, valid_bundle):
    upload(owner_api, valid_bundle, key="ci-job-1")
    files = bundle_files()
    files["logs/run_1.log"] = training_log(seed=99)
    response = upload(owner_api, pack_files(files), key="ci-job-1")

    assert response.status_code == 422
    assert "different bundle" in response.json()["detail"]
    assert Submission.objects.count() == 1


def test_it_refuses_a_malformed_key(owner_api, valid_bundle):
    response = upload(owner_api, valid_bundle, key="x" * 129)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Submission.objects.exists()
