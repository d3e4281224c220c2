"""Structured logs: JSON lines when LOG_FORMAT=json, each with the request's id."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from celery import shared_task

from benchcouncil.logging import JsonFormatter, RequestIdFilter
from tests.support.deploy_examples import ROOT


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the root logger writes, through the production formatter and filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    # INFO, as settings.LOGGING configures it: an embedded Celery worker started by an
    # earlier test may have left the root logger at another level.
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_request_gets_an_id_in_its_answer_and_its_log_line(client, json_lines):
    response = client.get("/no-such-page/?q=1")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = [line for line in _lines(json_lines) if line["logger"] == "benchcouncil.request"]
    assert line["request_id"] == request_id
    assert (line["level"], line["method"], line["path"], line["status"]) == (
        "INFO",
        "GET",
        "/no-such-page/",
        404,
    )
    assert line["duration_ms"] >= 0 and line["time"].endswith("+00:00")


def test_probes_are_logged_at_debug_level(client, json_lines, caplog):
    caplog.set_level(logging.DEBUG, logger="benchcouncil.request")
    client.get("/healthz")
    (line,) = [line for line in _lines(json_lines) if line["logger"] == "benchcouncil.request"]
    assert (line["level"], line["path"]) == ("DEBUG", "/healthz")


@pytest.mark.django_db
def test_a_proxys_request_id_is_kept_and_carried_by_lines_logged_inside(client, json_lines, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens: readyz logs a warning
    response = client.get("/readyz", HTTP_X_REQUEST_ID="lb-7f3a.9")
    assert response["X-Request-ID"] == "lb-7f3a.9"
    warning = next(line for line in _lines(json_lines) if line["level"] == "WARNING")
    assert warning["request_id"] == "lb-7f3a.9"
    assert warning["message"].startswith("readiness check broker failed")


def test_an_unsafe_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{forged}')
    assert response["X-Request-ID"] != 'x"\n{forged}'
    assert len(response["X-Request-ID"]) == 32


def test_exceptions_and_extra_fields_are_kept_as_keys(json_lines):
    logger = logging.getLogger("benchcouncil.tests")
    try:
        raise ValueError("bad bundle")
    except ValueError:
        logger.exception("validation crashed", extra={"submission": "abc", "size": 12})
    (line,) = _lines(json_lines)
    assert (line["submission"], line["size"]) == ("abc", 12)
    assert "ValueError: bad bundle" in line["exception"]
    assert "request_id" not in line  # outside a request


@shared_task(name="tests.deploy.log_something")
def log_something() -> None:
    logging.getLogger("benchcouncil.tests").warning("inside a task")


def test_lines_logged_in_a_celery_task_carry_its_id(json_lines):
    log_something.apply(task_id="task-123")
    line = next(line for line in _lines(json_lines) if line["message"] == "inside a task")
    assert (line["task_id"], line["task_name"]) == ("task-123", "tests.deploy.log_something")


def test_log_format_json_switches_the_configured_handler(tmp_path):
    script = (
        "import django, logging; django.setup(); logging.getLogger('probe').warning('hi', extra={'n': 1})"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchcouncil.settings", "DEBUG": "1",
           "BENCHCOUNCIL_VAR_DIR": str(tmp_path), "LOG_FORMAT": "json"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["logger"], line["message"], line["n"]) == ("probe", "hi", 1)


def test_an_unknown_log_format_is_refused(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchcouncil.settings", "DEBUG": "1",
           "BENCHCOUNCIL_VAR_DIR": str(tmp_path), "LOG_FORMAT": "xml"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "LOG_FORMAT must be plain or json" in result.stderr
