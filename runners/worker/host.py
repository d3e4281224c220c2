"""The host report: what the harness sees of this machine, sent to the service."""

from __future__ import annotations

import logging
from typing import Any

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
    answer = HostClient(config.service_url, config.host_token).report(report, system_description(report))
    logger.info("reported this host as %s in pool %s", answer.get("name"), answer.get("pool"))
    return answer
