"""One bundle through the real broker and a real Celery worker, not eager execution."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from benchcouncil.celery import app
from submissions.models import Submission
from submissions.states import Status
from tests.support.clients import api_as

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aibench-image-classification-hardware.tar.gz"


@pytest.fixture
def real_worker():
    """A worker thread on the configured broker (files locally, Redis in CI), tasks not eager."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            yield
    finally:
        app.conf.task_always_eager = eager


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_validates_an_example_bundle_on_a_real_worker(owner, real_worker):
    data = EXAMPLE.read_bytes()
    with EXAMPLE.open("rb") as stream:
        response = api_as(owner).post("/api/v1/submissions/", {"bundle": stream}, format="multipart")

    assert response.status_code == 202
    submission = Submission.objects.get(pk=response.json()["id"])
    deadline = time.monotonic() + 60
    while submission.status != Status.AWAITING_REVIEW and time.monotonic() < deadline:
        time.sleep(0.2)
        submission.refresh_from_db()

    assert submission.status == Status.AWAITING_REVIEW
    assert [e.to_status for e in submission.events.all()] == [
        Status.RECEIVED,
        Status.VALIDATING,
        Status.AWAITING_REVIEW,
    ]
    assert submission.runs.count() == 3
    assert submission.bundle_size == len(data)
