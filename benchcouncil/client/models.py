"""Model submissions: ask the service's runners to train a model, then follow the job."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import INVALID, OK, UsageError, WaitTimeout
from .http import ApiClient, json_body
from .submissions import wait_for_submission

MODEL_SUBMISSIONS = "api/v1/model-submissions/"
JOB_PENDING = frozenset({"queued", "running", "lost"})  # a lost job may still be re-queued
JOB_FIELDS = (
    "suite",
    "benchmark",
    "level",
    "profile",
    "availability",
    "hyperparameters",
    "model",
    "model_code",
    "organization",
    "pool",
    "time_limit_s",
    "nodes",
    "accelerators_per_node",
)


def model_request(
    spec_file: Path | None, overrides: dict[str, Any], model_code_file: Path | None
) -> dict[str, Any]:
    """The request body: a JSON spec file if given, with command-line values on top."""
    request: dict[str, Any] = {}
    if spec_file is not None:
        try:
            request = json.loads(spec_file.read_text())
        except (OSError, ValueError) as exc:
            raise UsageError(f"{spec_file}: {exc}") from exc
        if not isinstance(request, dict):
            raise UsageError(f"{spec_file}: the spec must be a JSON object")
        unknown = sorted(set(request) - set(JOB_FIELDS))
        if unknown:
            known = ", ".join(JOB_FIELDS)
            raise UsageError(f"{spec_file}: unknown keys {', '.join(unknown)}; known: {known}")
    request.update({key: value for key, value in overrides.items() if value is not None})
    if model_code_file is not None:
        try:
            request["model_code"] = model_code_file.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{model_code_file}: {exc}") from exc
    missing = [key for key in ("suite", "benchmark", "level") if not request.get(key)]
    if missing:
        raise UsageError(f"missing {', '.join(missing)}: give them as options or in the spec file")
    return request


def submit_model(client: ApiClient, request: dict[str, Any]) -> dict[str, Any]:
    # No idempotency key on this endpoint: only answers that prove nothing was queued are retried.
    return client.post(MODEL_SUBMISSIONS, json_body(request), idempotent=False).json()


def wait_for_job(
    client: ApiClient,
    job_id: str,
    *,
    until: str = "validated",
    timeout_s: float = 3600.0,
    interval_s: float = 5.0,
    on_progress: Callable[[str], None] = lambda line: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, dict[str, Any], dict[str, Any] | None]:
    """Follow the job to its end, then its bundle's submission; (exit code, job, submission)."""
    started = clock()
    last = None
    while True:
        job = client.get_json(f"{MODEL_SUBMISSIONS}{job_id}/")
        line = _job_line(job)
        if line != last:
            on_progress(f"[{int(clock() - started)}s] job {line}")
            last = line
        if job.get("status") not in JOB_PENDING:
            break
        remaining = timeout_s - (clock() - started)
        if remaining <= 0:
            raise WaitTimeout(f"job {job_id} is still {job.get('status')} after {timeout_s:.0f}s")
        sleep(min(interval_s, remaining))
    if job.get("status") != "finished" or not job.get("submission"):
        return INVALID, job, None
    code, submission = wait_for_submission(
        client,
        str(job["submission"]),
        until=until,
        timeout_s=max(1.0, timeout_s - (clock() - started)),
        interval_s=interval_s,
        on_progress=on_progress,
        clock=clock,
        sleep=sleep,
    )
    return (OK if code == OK else code), job, submission


def _job_line(job: dict[str, Any]) -> str:
    progress = job.get("progress") or {}
    detail = ""
    if isinstance(progress, dict) and progress:
        shown = sorted((k, v) for k, v in progress.items() if not isinstance(v, dict | list))
        detail = " " + ", ".join(f"{k}={v}" for k, v in shown)
    failure = f": {job['failure_reason']}" if job.get("failure_reason") else ""
    waiting = f" ({job['waiting']})" if job.get("waiting") else ""
    return f"{job.get('status')}{detail}{failure}{waiting}"
