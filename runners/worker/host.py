"""The host report: what the harness sees of this machine, sent to the service.

Sent when the worker starts, then again every heartbeat interval while the worker runs, so
that an idle host shows as online in its pool (a job's page says when none is).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from . import celery as runner_celery
from .client import HostClient
from .config import RunnerConfig

logger = logging.getLogger(__name__)


def sandbox_check() -> str:
    """Probe the model-code sandbox once at start: its state goes to the log and the host report."""
    from runners.harness.sandbox import sandbox_problem

    problem = sandbox_problem()
    if problem is not None:
        logger.warning("free-level model code jobs will be refused on this host: %s", problem)
        return f"unavailable: {problem}"
    return "bubblewrap"


def host_report_send(config: RunnerConfig) -> dict[str, Any] | None:
    sandbox = sandbox_check()
    if not config.host_token:
        logger.warning("RUNNER_HOST_TOKEN is not set: this host's hardware is not reported")
        logger.warning("without a host token, this host's bundles are refused by the service")
        return None
    from runners.harness import host_report, system_description

    report = {**host_report(), "sandbox": sandbox}
    if runner_celery.slurm_config is not None:
        from .slurm_host import slurm_report

        report["slurm"] = slurm_report(runner_celery.slurm_config)
    description = system_description(report)
    client = HostClient(config.service_url, config.host_token)
    answer = client.report(report, description)
    logger.info("reported this host as %s in pool %s", answer.get("name"), answer.get("pool"))
    _presence_start(client, report, description, config.heartbeat_interval_s)
    return answer


def _presence_start(
    client: HostClient, report: dict[str, Any], description: dict[str, Any], interval_s: float
) -> threading.Thread:
    def repeat() -> None:
        while True:
            time.sleep(interval_s)
            try:
                client.report(report, description)
            except Exception as exc:  # noqa: BLE001 - the service may be restarting; try again later
                logger.warning("could not tell the service this host is online: %s", exc)

    # A daemon thread: it ends with the worker, whatever way the worker stops.
    thread = threading.Thread(target=repeat, name="host-presence", daemon=True)
    thread.start()
    return thread
