"""Structured logs: one JSON object a line when LOG_FORMAT=json, each with its request id.

A request's id comes from its X-Request-ID header when a proxy in front sent a sane one,
else it is made here; it goes back in the response's X-Request-ID header, so a submitter
quoting it lets an operator find every line that request wrote. Lines written inside a
Celery task carry the task's id and name instead.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

# The accessor Celery's own task log formatter uses; it needs no configured app.
from celery._state import get_current_task
from celery.worker.consumer.consumer import (  # type: ignore[attr-defined]  # untyped in celery-types
    INVALID_TASK_ERROR,
    UNKNOWN_TASK_ERROR,
)
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# Attributes every LogRecord has: anything else on a record came from `extra=` and is logged.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
    "task_name",
}

request_logger = logging.getLogger("benchcouncil.request")
QUIET_PATHS = frozenset({"/healthz", "/readyz"})


def current_request_id() -> str | None:
    return _request_id.get()


def _current_task() -> tuple[str, str] | None:
    task = get_current_task()
    if task is None or task.request.id is None:
        return None
    return task.request.id, task.name


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and, inside a task, `task_id`/`task_name`) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        task = _current_task()
        record.task_id, record.task_name = task if task else ("", "")
        return True


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON, with `extra=` fields kept as keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        # Set by RequestIdFilter, which the stubs' LogRecord does not know about.
        task_id = getattr(record, "task_id", "")
        if task_id:
            entry["task_id"] = task_id
            entry["task_name"] = getattr(record, "task_name", "")
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: a stray object in `extra=` must not lose the whole line.
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestIdMiddleware:
    """Gives each request an id, logs one line when it is answered, and echoes the id back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = sent if _SANE_ID.match(sent) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            # Probes hit the health views every few seconds: keep them out of the INFO stream.
            level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
            request_logger.log(
                level,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _request_id.reset(token)


class MessageBodyFilter(logging.Filter):
    """Keeps a task message's body out of the logs.

    Celery logs the whole body of a message its worker cannot run (an unregistered or
    malformed task); a runner job's body carries the job's secret, which no log may hold.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in (UNKNOWN_TASK_ERROR, INVALID_TASK_ERROR):
            what = record.args[0] if isinstance(record.args, tuple) and record.args else "unknown"
            record.msg = "Received a task message this worker cannot run (%s); its body is not logged."
            record.args = (what,)
            record.exc_info, record.exc_text = None, None
        return True
