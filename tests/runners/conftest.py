"""Fixtures of the runner tests: jobs queued through the real services, and the broker.

Jobs go to a pool of their own per test (`pool`, in tests/conftest.py), so what a test reads
from the broker is what that test sent, on the filesystem transport locally and on Redis in CI
alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import TestCase

from runners.models import Job
from runners.services import job_create
from tests.support.runner_jobs import spec


@pytest.fixture(autouse=True)
def _local_media(media_storage) -> None:
    """Each test stores files in its own folder, so that it can count what it stored."""


@pytest.fixture
def make_job(pool) -> Callable[..., Job]:
    """Queue a job as the services do, running the on-commit dispatch to the broker."""

    def make(owner, *, organization=None, **overrides: Any) -> Job:
        with TestCase.captureOnCommitCallbacks(execute=True):
            job = job_create(owner=owner, spec=spec(**overrides), organization=organization, pool=pool)
        return job

    return make
