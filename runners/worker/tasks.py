"""runners.execute_job: run one job's benchmark with the harness and send back its bundle.

Registered only in the runner hosts' Celery app (runners.worker.celery). The message holds
the job's id and attempt, its configuration (checked by the web tier against its level), the
job's secret and the service's URL; free-level model code comes as text beside it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded

from catalogue import get_catalogue
from runners.broker import EXECUTE_JOB

from . import celery as runner_celery
from .celery import app
from .client import JobClient, JobRevoked, ServiceError
from .config import RunnerConfig
from .reporter import JobReporter

if TYPE_CHECKING:
    from runners.harness import JobConfig

logger = logging.getLogger(__name__)

# The harness's final progress states (runners/harness/progress.py).
FINISHED, TIMED_OUT = "finished", "timed_out"


@app.task(name=EXECUTE_JOB, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def execute_job(
    self: Any,
    job_id: str,
    attempt: int,
    config: dict[str, Any],
    secret: str,
    service_url: str,
    model_code: dict[str, str] | None = None,
) -> str:
    client = JobClient(service_url, job_id, secret, host_token=_runner_config().host_token)
    if runner_celery.slurm_config is not None:
        return _run_on_slurm(self, client, attempt, config, secret, model_code)
    try:
        first = client.heartbeat()
    except JobRevoked:
        # A message from an attempt the service gave up on (a re-delivery after a re-queue).
        logger.info("job %s attempt %s is no longer current; skipped", job_id, attempt)
        return "revoked"
    except ServiceError as exc:
        # Nothing has started: put the job back on the queue and try again later.
        raise self.retry(exc=exc, countdown=30, max_retries=20) from exc
    if first.get("cancel"):
        logger.info("job %s is %s; skipped", job_id, first.get("status"))
        return str(first.get("status"))
    try:
        return _run(client, config, model_code)
    except ServiceError as exc:
        # The service could not be reached even after retries: the job stops heart-beating,
        # so the service's sweep marks it lost and re-queues it (once). The error names the
        # address and the reason; a traceback would add nothing (and the service stopping
        # first is how a development stack shuts down).
        logger.error("job %s: the service could not be reached: %s", job_id, exc)
        return "unreachable"


def _run_on_slurm(
    task: Any,
    client: JobClient,
    attempt: int,
    config: dict[str, Any],
    secret: str,
    model_code: dict[str, str] | None,
) -> str:
    from .slurm_runner import run_on_slurm

    assert runner_celery.slurm_config is not None
    try:
        return run_on_slurm(
            client=client,
            attempt=attempt,
            config=config,
            secret=secret,
            model_code=model_code,
            settings=_runner_config(),
            slurm_config=runner_celery.slurm_config,
        )
    except JobRevoked:
        logger.info("job %s attempt %s is no longer current; skipped", client.job_id, attempt)
        return "revoked"
    except ServiceError as exc:
        raise task.retry(exc=exc, countdown=30, max_retries=20) from exc


def _runner_config() -> RunnerConfig:
    # Looked up at call time, so that one assignment (a test's) changes it everywhere.
    return runner_celery.config


def _run(client: JobClient, job_config: dict[str, Any], model_code: dict[str, str] | None) -> str:
    from runners.harness import validate_config

    settings = _runner_config()
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"job-{client.job_id}-", dir=settings.work_dir) as scratch:
        raw = dict(job_config)
        if model_code:
            raw["model_code"] = str(_write_model_code(Path(scratch), model_code))
        checked, errors = validate_config(raw, get_catalogue())
        if checked is None:
            client.fail("The runner's harness refused the configuration: " + "; ".join(errors))
            return "failed"
        return run_and_report(client, checked, Path(scratch) / "out", settings.heartbeat_interval_s)


def run_and_report(
    client: JobClient,
    checked: JobConfig,
    out_dir: Path,
    heartbeat_interval_s: float,
    stopped_here: Callable[[], bool] = lambda: False,
) -> str:
    """Run the harness with heartbeats and progress to the service, then upload its bundle.

    `stopped_here`: a stop asked for on this machine (a signal from a scheduler), which the
    scheduler's own report explains: nothing is reported for it here.
    """
    from runners.harness import run_job

    with JobReporter(client, heartbeat_interval_s) as reporter:

        def stop() -> bool:
            return reporter.should_stop() or stopped_here()

        try:
            bundle = run_job(checked, out_dir, on_progress=reporter.on_progress, should_stop=stop)
        except SoftTimeLimitExceeded:
            return _failed(
                client, reporter, f"Time limit exceeded ({checked.time_limit_s:.0f} s and grace).", stop
            )
        except Exception as exc:  # noqa: BLE001 - any harness error is the job's failure, reported
            logger.exception("job %s failed", client.job_id)
            return _failed(client, reporter, f"{type(exc).__name__}: {exc}", stop)
    if stop():
        # Cancelled (or re-queued) while it ran: whatever the harness produced is not wanted.
        return "cancelled"
    if reporter.state not in (None, FINISHED):
        # Timed out, or fewer runs than the catalogue requires: no result to review.
        limit = f" (time limit {checked.time_limit_s:.0f} s)" if reporter.state == TIMED_OUT else ""
        return _failed(client, reporter, f"The harness stopped the job: {reporter.state}{limit}.", stop)
    reporter.flush()
    answer = client.upload_bundle(Path(bundle))
    logger.info("job %s: bundle uploaded as submission %s", client.job_id, answer.get("submission"))
    return "finished"


def _failed(client: JobClient, reporter: JobReporter, reason: str, stop: Callable[[], bool]) -> str:
    if stop():
        return "cancelled"
    with contextlib.suppress(ServiceError):  # the failure report matters more than the last progress
        reporter.flush()
    client.fail(reason)
    return "failed"


def _write_model_code(scratch: Path, model_code: dict[str, str]) -> Path:
    """The submitter's code as a file for the harness's sandbox; the name is never a path."""
    stem = re.sub(r"[^A-Za-z0-9_]", "_", Path(model_code.get("name") or "model.py").stem) or "model"
    path = scratch / "model_code" / f"{stem}.py"
    path.parent.mkdir(parents=True)
    path.write_text(model_code["source"], encoding="utf-8")
    return path
