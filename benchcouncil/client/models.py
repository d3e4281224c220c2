"""Model submissions: ask the service's runners to train a model, then follow the job."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .errors import INVALID, OK, UsageError
from .http import ApiClient, json_body
from .polling import Polling
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
JOB = ("suite", "benchmark", "level")
SMOKE = "smoke"
# What `model-submit --profile smoke` runs when no job is named anywhere: the quickest smoke
# job there is (README.md, docs/ci.md).
SMOKE_DEFAULT = {"suite": "aibench-training", "benchmark": "learning-to-rank", "level": "hardware"}


def env_name(key: str) -> str:
    """The variable a job field defaults from, as the token does: BENCHCOUNCIL_SUITE ..."""
    return f"BENCHCOUNCIL_{key.upper()}"


def model_request(
    spec_file: Path | None,
    overrides: dict[str, Any],
    model_code_file: Path | None,
    *,
    environ: Mapping[str, str] | None = None,
    on_note: Callable[[str], None] = lambda line: None,
) -> dict[str, Any]:
    """The request body: a JSON spec file if given, with command-line values on top.

    Suite, benchmark and level given neither way come from the environment (``env_name``);
    with none of the three anywhere, the smoke profile runs ``SMOKE_DEFAULT``, said through
    ``on_note``.
    """
    request = _spec(spec_file) if spec_file is not None else {}
    request.update({key: value for key, value in overrides.items() if value is not None})
    if model_code_file is not None:
        try:
            request["model_code"] = model_code_file.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{model_code_file}: {exc}") from exc
    _name_the_job(request, os.environ if environ is None else environ, on_note)
    return request


def _spec(spec_file: Path) -> dict[str, Any]:
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
    return request


def _name_the_job(
    request: dict[str, Any], environ: Mapping[str, str], on_note: Callable[[str], None]
) -> None:
    for key in JOB:
        if not request.get(key) and environ.get(env_name(key), "").strip():
            request[key] = environ[env_name(key)].strip()
    named = [key for key in JOB if request.get(key)]
    # Only a job named nowhere gets the default: half of one plus half of another is no job.
    if not named and request.get("profile") == SMOKE:
        request.update(SMOKE_DEFAULT)
        on_note(f"using {_as_options(SMOKE_DEFAULT)} (default for --profile smoke)")
        return
    missing = [key for key in JOB if key not in named]
    if missing:
        options = ", ".join(f"--{key}" for key in missing)
        variables = ", ".join(env_name(key) for key in missing)
        hint = "" if named else f"; --profile smoke alone runs {_as_options(SMOKE_DEFAULT)}"
        where = f"give {options}, set {variables} or put them in the spec file"
        raise UsageError(f"missing {', '.join(missing)}: {where}{hint}")


def _as_options(job: dict[str, str]) -> str:
    return " ".join(f"--{key} {value}" for key, value in job.items())


def submit_model(client: ApiClient, request: dict[str, Any]) -> dict[str, Any]:
    # No idempotency key on this endpoint: only answers that prove nothing was queued are retried.
    return client.post(MODEL_SUBMISSIONS, json_body(request), idempotent=False).json()


def wait_for_job(
    client: ApiClient,
    job_id: str,
    *,
    until: str = "validated",
    polling: Polling,
) -> tuple[int, dict[str, Any], dict[str, Any] | None]:
    """Follow the job to its end, then its bundle's submission; (exit code, job, submission)."""
    started = polling.clock()
    last = None
    while True:
        job = client.get_json(f"{MODEL_SUBMISSIONS}{job_id}/")
        line = _job_line(job)
        if line != last:
            polling.on_progress(f"[{int(polling.elapsed(started))}s] job {line}")
            last = line
        if job.get("status") not in JOB_PENDING:
            break
        polling.pause(started, f"job {job_id} is still {job.get('status')}")
    if job.get("status") != "finished" or not job.get("submission"):
        return INVALID, job, None
    code, submission = wait_for_submission(
        client, str(job["submission"]), until=until, polling=polling.rest(started)
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
