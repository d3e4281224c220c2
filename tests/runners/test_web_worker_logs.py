"""The web tier's worker never logs a task message's body: a runner job's carries its secret."""

from __future__ import annotations

import logging
import time

import pytest
from celery.contrib.testing.worker import start_worker

from benchcouncil.celery import app as web_app
from benchcouncil.task_names import EXECUTE_JOB

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SECRET = "bcrj_do-not-log-this-secret"  # noqa: S105 - a made-up secret to look for


def test_a_task_it_cannot_run_is_logged_without_its_body(capfd, caplog):
    caplog.set_level(logging.INFO)
    # The web worker's own queue: a queue named here stays selected in the app for later workers.
    queue = "default"
    logged = ""
    with start_worker(web_app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
        web_app.send_task(EXECUTE_JOB, kwargs={"job_id": "x", "secret": SECRET}, queue=queue)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "cannot run" not in logged + caplog.text:
            time.sleep(0.2)
            logged += "".join(capfd.readouterr())
    logged += "".join(capfd.readouterr()) + caplog.text
    assert "Received a task message this worker cannot run ('runners.execute_job')" in logged
    assert SECRET not in logged
