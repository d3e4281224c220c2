"""Bundles on the real S3-compatible store: stored untouched, read back byte for byte."""

from __future__ import annotations

import boto3
import pytest

from submissions.models import Submission
from submissions.states import Status
from tests.support.intake_bundles import upload

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def _bucket(s3: dict[str, str]):
    return boto3.client(
        "s3",
        endpoint_url=s3["endpoint_url"],
        aws_access_key_id=s3["access_key"],
        aws_secret_access_key=s3["secret_key"],
        region_name="us-east-1",
    )


def test_it_round_trips_an_upload_through_the_bucket(s3_storage, owner_api, valid_bundle):
    response = upload(owner_api, valid_bundle, "resnet.tar.gz")

    assert response.status_code == 202
    submission = Submission.objects.get(pk=response.json()["id"])
    stored = _bucket(s3_storage).get_object(Bucket=s3_storage["bucket"], Key=submission.bundle.name)
    assert submission.bundle.name == f"bundles/{submission.pk}/bundle.tar.gz"
    assert stored["Body"].read() == valid_bundle
    # The validator read the bundle back from the bucket.
    assert submission.status == Status.AWAITING_REVIEW
    download = owner_api.get(response.json()["links"]["bundle"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == valid_bundle
    assert download["X-Bundle-SHA256"] == submission.bundle_sha256


def test_it_keeps_a_broken_upload_in_the_bucket_too(s3_storage, owner_api):
    data = b"PK\x03\x04 a zip that ends here"

    response = upload(owner_api, data, "broken.zip")

    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == Status.INVALID
    stored = _bucket(s3_storage).get_object(Bucket=s3_storage["bucket"], Key=submission.bundle.name)
    assert stored["Body"].read() == data
    assert b"".join(owner_api.get(response.json()["links"]["bundle"]).streaming_content) == data
