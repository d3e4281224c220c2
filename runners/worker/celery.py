"""The runner hosts' Celery app: `celery -A runners.worker.celery worker -Q runner.<pool>`.

A separate app from benchcouncil.celery: it registers only runners.execute_job, needs no
Django and no database, and talks to the service over HTTP. On start it reports the host's
hardware (the harness's host_report()) so that the service knows what each host is.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from celery.signals import worker_ready

from .config import RunnerConfig
from .slurm_config import SlurmConfig

logger = logging.getLogger(__name__)

config = RunnerConfig.from_env()
# Set on a Slurm cluster's login node (RUNNER_LAUNCHER=slurm): jobs go to Slurm, not to this host.
slurm_config = SlurmConfig.from_env(config.work_dir)

app = Celery("benchcouncil-runner", include=["runners.worker.tasks"])
app.conf.update(
    broker_url=config.broker_url,
    broker_transport_options=config.broker_transport_options(),
    broker_connection_retry_on_startup=True,
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    # One job at a time per worker process, acknowledged only when it ends: a host that
    # dies mid-job gives the message back instead of losing it.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
)


@worker_ready.connect
def report_host(sender: Any = None, **kwargs: Any) -> None:
    """Tell the service what this host is, once per worker start."""
    from .host import host_report_send

    if sender is not None and getattr(sender, "app", app) is not app:
        return  # another Celery app's worker in the same process (tests)
    try:
        host_report_send(config)
    except Exception:  # noqa: BLE001 - a failed report must not keep the worker from taking jobs
        logger.exception("could not report this host's hardware to %s", config.service_url)
