"""Fixtures of the intake tests; the bundles themselves are made in intake_bundles.py."""

from __future__ import annotations

import io

import pytest
from django.test import TestCase

from submissions.bundles.pack import pack_files
from submissions.models import Submission
from submissions.services import submission_create, submission_transition
from submissions.states import Status
from tests.support.intake_bundles import bundle_files


@pytest.fixture
def valid_bundle() -> bytes:
    return pack_files(bundle_files())


@pytest.fixture(autouse=True)
def _local_media(media_storage) -> None:
    """Each test stores files in its own folder, so that it can count what it stored."""


@pytest.fixture
def submission(owner, org, valid_bundle) -> Submission:
    """The owner's valid bundle, filed under `org`, validated and awaiting review."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        created, _ = submission_create(
            owner=owner, bundle=io.BytesIO(valid_bundle), bundle_name="resnet.tar.gz", organization=org
        )
    created.refresh_from_db()
    assert created.status == Status.AWAITING_REVIEW
    return created


@pytest.fixture
def published(submission, reviewer) -> Submission:
    submission_transition(
        submission=submission, to=Status.PUBLISHED, actor=reviewer, reason="Reviewed: logs and system agree."
    )
    return submission
