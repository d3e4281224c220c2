"""An upload while the broker is down is accepted once, and validated by the sweep later.

The broker is a closed loopback port: the real publish fails as it does when Redis is gone
(benchmarks/fault_injection.py kills a real one). The upload used to answer 500 after its row
and bundle were committed, so a client retrying without an Idempotency-Key stored it twice.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from benchcouncil.celery import app
from submissions.models import Submission
from submissions.states import Status
from submissions.sweeps import submission_sweep_stuck
from tests.support.security_bundles import example

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down(media_storage):
    saved = {
        key: app.conf[key] for key in ("task_always_eager", "broker_url", "broker_connection_max_retries")
    }
    app.conf.update(
        task_always_eager=False,
        broker_url=f"redis://127.0.0.1:{_closed_port()}/0",
        broker_connection_max_retries=0,
    )
    _fresh_connections()
    yield
    app.conf.update(saved)
    _fresh_connections()


def _fresh_connections() -> None:
    # Celery keeps its broker connections and producers in pools made on first use (kombu's
    # registry, keyed by URL); forget them so that the next publish uses the broker_url set now.
    app._pool = None
    app.amqp._producer_pool = None


def test_it_accepts_an_upload_once_while_the_broker_is_down(broker_down, owner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/api/v1/submissions/", {"bundle": SimpleUploadedFile("b.tar.gz", example())})
    assert response.status_code == 202
    submission = Submission.objects.get()
    assert submission.status == Status.RECEIVED  # stored, waiting for its task
    with submission.bundle.open("rb") as stored:
        assert stored.read() == example()


def test_it_validates_what_the_outage_left_once_the_sweep_runs(broker_down, owner):
    with TestCase.captureOnCommitCallbacks(execute=True):
        APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}").post(
            "/api/v1/submissions/", {"bundle": SimpleUploadedFile("b.tar.gz", example())}
        )
    app.conf.task_always_eager = True  # the broker is back: tasks run
    with TestCase.captureOnCommitCallbacks(execute=True):
        requeued = submission_sweep_stuck(older_than=timedelta(seconds=0))
    submission = Submission.objects.get()
    assert requeued == [str(submission.pk)]
    assert submission.status == Status.AWAITING_REVIEW
