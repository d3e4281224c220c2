"""Liveness and readiness probes for load balancers, orchestrators and compose health checks.

/healthz answers as long as the process serves requests: it touches nothing else, so a
database outage never gets the web processes killed and restarted in a loop.
/readyz checks what a request needs (the database, the broker, the bundle store) and answers
503 when one of them is unreachable, so traffic goes elsewhere until it is back. Each check
runs with a time limit; the answer names the checks and the error's type only, and the full
error goes to the log, because the endpoint is public.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 5.0


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    # The database check stays on this thread: Django's connections are per thread, and one
    # opened on a pool thread would never be closed.
    checks = {"database": _timed(check_database)}
    # The others may hang on a silent network; they run on threads with a deadline.
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")
    futures = {
        "broker": pool.submit(_timed, check_broker),
        "storage": pool.submit(_timed, check_storage),
    }
    deadline = time.monotonic() + CHECK_TIMEOUT_S
    for name, future in futures.items():
        try:
            checks[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            checks[name] = {"ok": False, "error": "Timeout", "duration_ms": CHECK_TIMEOUT_S * 1000}
    pool.shutdown(wait=False, cancel_futures=True)
    for name, result in checks.items():
        if not result["ok"]:
            logger.warning("readiness check %s failed: %s", name, result.pop("detail", ""))
        result.pop("detail", None)
    ready = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def _timed(check: Callable[[], None]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # any failure means "not ready"; which one is in the log
        return {
            "ok": False,
            "error": type(exc).__name__,
            "detail": str(exc),
            "duration_ms": _ms_since(started),
        }
    return {"ok": True, "duration_ms": _ms_since(started)}


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    # Built from settings rather than the Celery app, whose configuration is read once.
    connection = Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=CHECK_TIMEOUT_S,
        transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    )
    with connection:
        connection.ensure_connection(
            max_retries=1,
            interval_start=0,
            interval_step=0,
            # kombu adds it to time() and takes any number of seconds; its stubs say int.
            timeout=CHECK_TIMEOUT_S,  # type: ignore[arg-type]
        )


def check_storage() -> None:
    storage = storages["default"]
    bucket_name = getattr(storage, "bucket_name", None)
    if bucket_name:
        # HEAD on the bucket: the endpoint answers, the credentials work, the bucket exists.
        s3: Any = storage  # django-storages' S3Storage, which ships no types
        s3.connection.meta.client.head_bucket(Bucket=bucket_name)
    elif isinstance(storage, FileSystemStorage):
        _check_writable(Path(storage.location))
    else:
        storage.exists(".readyz")


def _check_writable(location: Path) -> None:
    # The folder is made on the first upload: before that, its nearest existing parent counts.
    path = location
    while not path.exists() and path != path.parent:
        path = path.parent
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a folder")
    if not os.access(path, os.W_OK):
        raise PermissionError(f"{path} is not writable")
