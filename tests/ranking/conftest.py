"""Fixtures of the ranking tests: the catalogue's boards and a way to publish onto them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from catalogue.models import Benchmark, Level
from submissions.models import Submission
from tests.support.factories import benchmark, five_runs, level, publish, submission_with_runs


@pytest.fixture
def hpc_ic(db) -> Benchmark:
    return benchmark("hpc-ai500", "image-classification")


@pytest.fixture
def aib_ic(db) -> Benchmark:
    return benchmark("aibench-training", "image-classification")


@pytest.fixture
def system_level(db) -> Level:
    return level("system")


@pytest.fixture
def free_level(db) -> Level:
    return level("free")


@pytest.fixture
def published(
    owner, reviewer, hpc_ic, system_level, django_capture_on_commit_callbacks
) -> Callable[..., Submission]:
    """Publish a submission on HPC AI500 image classification, system level, and let it rank."""

    def make(**kwargs: Any) -> Submission:
        kwargs.setdefault("bench", hpc_ic)
        kwargs.setdefault("lvl", system_level)
        kwargs.setdefault("runs", five_runs())
        submission = submission_with_runs(owner=owner, **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            publish(submission, reviewer=reviewer)
        submission.refresh_from_db()
        return submission

    return make


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with no rendered board cached (the cache outlives a test's database)."""
    cache.clear()
