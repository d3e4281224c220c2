"""A job on a Slurm cluster, seen from the login node: sbatch it, then follow it until it ends.

The runner tells the service what Slurm says of the job at every look (its Slurm job id,
state, pending reason, and at the end its exit code and the tail of its log); the service
maps Slurm's states onto the job's (runners/scheduler.py). The answer says whether the job
was cancelled on the web, which the runner passes on to Slurm with scancel. Slurm's --time is
the job's time limit, so a job waiting in Slurm's queue never runs into a limit of ours.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from pathlib import Path
from typing import Any

from . import slurm
from .client import JobClient, JobRevoked, ServiceError
from .config import RunnerConfig
from .sbatch import JobFiles, job_files_prepare
from .slurm_config import SlurmConfig

logger = logging.getLogger(__name__)

VANISHED = "VANISHED"  # not Slurm's: the controller no longer knows the job
LOG_TAIL_LINES = 40
FINAL_REPORT_TRIES = 5
WIND_DOWN_S = 600  # how long a job the service is done with is followed to its end in Slurm


def run_on_slurm(
    *,
    client: JobClient,
    attempt: int,
    config: dict[str, Any],
    secret: str,
    model_code: dict[str, str] | None,
    settings: RunnerConfig,
    slurm_config: SlurmConfig,
) -> str:
    """Submit the job (or pick up the Slurm job this attempt already has) and follow it."""
    answer = client.scheduler({"scheduler": "slurm", "state": "SUBMITTING"})
    if answer.get("cancel"):
        return str(answer.get("status"))
    env = slurm.slurm_env(slurm_config.export)
    known = answer.get("scheduler") or {}
    files = JobFiles.of_attempt(slurm_config.job_dir, client.job_id, attempt)
    if known.get("job_id") and known.get("attempt") == attempt and files.spec.exists():
        # A re-delivered message (this runner restarted): the Slurm job is already there.
        logger.info("job %s: following Slurm job %s again", client.job_id, known["job_id"])
        return _follow(client, str(known["job_id"]), files, slurm_config, env)
    try:
        files = job_files_prepare(
            slurm=slurm_config,
            job_id=client.job_id,
            attempt=attempt,
            config=config,
            secret=secret,
            host_token=client.host_token,
            service_url=client.base_url,
            heartbeat_interval_s=settings.heartbeat_interval_s,
            model_code=model_code,
        )
        slurm_id = slurm.submit(files.script, env)
    except (OSError, ValueError, slurm.SlurmError) as exc:
        files.forget_secret()
        logger.exception("job %s: could not be submitted to Slurm", client.job_id)
        client.fail(f"The runner could not submit the job to Slurm: {exc}")
        return "failed"
    logger.info("job %s: submitted as Slurm job %s", client.job_id, slurm_id)
    return _follow(client, slurm_id, files, slurm_config, env)


def _follow(
    client: JobClient, slurm_id: str, files: JobFiles, config: SlurmConfig, env: dict[str, str]
) -> str:
    """Report Slurm's view of the job at every look until Slurm's job has ended."""
    outcome: str | None = None  # set once the service no longer wants the job
    winding_down_until = float("inf")
    try:
        while time.monotonic() < winding_down_until:
            job = slurm.show(slurm_id, env)
            report = job.report() if job else {"scheduler": "slurm", "job_id": slurm_id, "state": VANISHED}
            if job is None or job.ended:
                report["log_tail"] = log_tail(files.dir / f"slurm-{slurm_id}.out")
                final = _final(client, report)
                return outcome or final
            try:
                answer = client.scheduler(report)
            except JobRevoked:
                slurm.cancel(slurm_id, env)  # re-queued elsewhere, or gone: this attempt is over
                return "revoked"
            except ServiceError as exc:
                logger.warning("job %s: could not report Slurm's state: %s", client.job_id, exc)
            else:
                if answer.get("cancel") and outcome is None:
                    # Followed on until Slurm's end, so that the job shows how Slurm ended it.
                    outcome = _stop(answer, slurm_id, env)
                    winding_down_until = time.monotonic() + WIND_DOWN_S
            time.sleep(config.poll_s)
        return outcome or "unknown"
    finally:
        files.forget_secret()


def _stop(answer: dict[str, Any], slurm_id: str, env: dict[str, str]) -> str:
    status = str(answer.get("status"))
    if status != "finished":
        # Cancelled on the web, or failed on rank 0 with other ranks still running.
        logger.info("Slurm job %s: the service says %s; scancel", slurm_id, status)
        slurm.cancel(slurm_id, env)
    return status


def _final(client: JobClient, report: dict[str, Any]) -> str:
    for attempt in range(1, FINAL_REPORT_TRIES + 1):
        try:
            answer = client.scheduler(report)
        except JobRevoked:
            return "revoked"
        except ServiceError as exc:
            logger.warning("Slurm job %s ended; reporting it failed (%s)", report["job_id"], exc)
            time.sleep(2 * attempt)
            continue
        return str(answer.get("status"))
    return "unreachable"


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as stream:
            return "".join(deque(stream, maxlen=lines))[-8000:]
    except OSError:
        return ""
