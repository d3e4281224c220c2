"""Fixtures of the review tests: a submission awaiting review and the example bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from submissions.models import Submission
from submissions.states import Status
from tests.support.factories import make_submission

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def pending(owner, org) -> Submission:
    """A submission of `owner` for `org`, validated and awaiting review."""
    return make_submission(owner, organization=org, status=Status.AWAITING_REVIEW)


@pytest.fixture
def example_bundle() -> bytes:
    return (EXAMPLES / "hpc-ai500-image-classification-system.tar.gz").read_bytes()
