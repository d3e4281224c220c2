"""The host report: what the harness sees of this machine, sent to the service."""

from __future__ import annotations

import logging
from typing import Any

from . import celery as runner_celery
from .client import HostClient
from .config import RunnerConfig

logger = logging.getLogger(__name__)


def host_report_send(config: RunnerConfig) -> dict[str, Any] | None:
    if not config.host_token:
        logger.warning("RUNNER_HOST_TOKEN is not set: this host's hardware is not reported")
        return None
    from runners.harness import host_report, system_description

    report = host_report()
    if runner_celery.slurm_config is not None:
        from .slurm_host import slurm_report

        report["slurm"] = slurm_report(runner_celery.slurm_config)
    answer = HostClient(config.service_url, config.host_token).report(report, system_description(report))
    logger.info("reported this host as %s in pool %s", answer.get("name"), answer.get("pool"))
    return answer
