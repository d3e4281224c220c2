"""Fixtures of the ranking tests: the catalogue's boards and a way to publish onto them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from factories import RunSpec, benchmark, level, make_submission, publish

from catalogue.models import Benchmark, Level
from submissions.models import Submission

# HPC AI500 image classification: 2.43e10 FLOPs/sample, target 0.763, n = 5, 5 runs.
SAMPLES = 1281167 * 90


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


def five_runs(quality: float = 0.763, time_s: float = 3600.0) -> list[RunSpec]:
    return [RunSpec(quality=quality, time_s=time_s, samples=SAMPLES) for _ in range(5)]


@pytest.fixture
def published(
    owner, reviewer, hpc_ic, system_level, django_capture_on_commit_callbacks
) -> Callable[..., Submission]:
    """Publish a submission on HPC AI500 image classification, system level, and let it rank."""

    def make(**kwargs: Any) -> Submission:
        kwargs.setdefault("bench", hpc_ic)
        kwargs.setdefault("lvl", system_level)
        kwargs.setdefault("runs", five_runs())
        submission = make_submission(owner=owner, **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            publish(submission, reviewer=reviewer)
        submission.refresh_from_db()
        return submission

    return make


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with no rendered board cached (the cache outlives a test's database)."""
    cache.clear()
