"""The runner host's settings, from the environment (no Django on a runner host).

RUNNER_SERVICE_URL     the service's base URL, for the host report (jobs carry their own)
RUNNER_HOST_TOKEN      the host token printed by `register_runner_host`
RUNNER_BROKER_URL      the broker (falls back to CELERY_BROKER_URL; Redis or RabbitMQ in production)
RUNNER_HEARTBEAT_INTERVAL_S  seconds between heartbeats (default 20; keep it well under the
                       service's RUNNER_HEARTBEAT_TIMEOUT_S)
RUNNER_WORK_DIR        scratch space for a job's output (default: the system's temporary folder)
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runners.broker import filesystem_transport_options


@dataclass(frozen=True)
class RunnerConfig:
    service_url: str
    host_token: str
    broker_url: str
    heartbeat_interval_s: float
    work_dir: Path

    @classmethod
    def from_env(cls) -> RunnerConfig:
        return cls(
            service_url=os.environ.get("RUNNER_SERVICE_URL", "http://127.0.0.1:8000"),
            host_token=os.environ.get("RUNNER_HOST_TOKEN", ""),
            broker_url=os.environ.get("RUNNER_BROKER_URL")
            or os.environ.get("CELERY_BROKER_URL", "filesystem://"),
            heartbeat_interval_s=float(os.environ.get("RUNNER_HEARTBEAT_INTERVAL_S", "20")),
            work_dir=Path(os.environ.get("RUNNER_WORK_DIR") or tempfile.gettempdir()),
        )

    def broker_transport_options(self) -> dict[str, Any]:
        if not self.broker_url.startswith("filesystem://"):
            return {}
        # Development only: the same folders the web tier's settings use, so that one
        # machine without a broker server can run both sides.
        var_dir = Path(os.environ.get("BENCHCOUNCIL_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))
        return filesystem_transport_options(var_dir)
