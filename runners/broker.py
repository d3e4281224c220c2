"""What both sides of the broker share: the runner task's name and kombu's filesystem transport.

The filesystem transport is the broker that needs no server (development defaults). One
definition of its folders, used by the web tier's settings and by a runner host's own Celery
app, so that both sides of one machine meet in the same place. Pure Python and shared by both
sides, like runners.level_rules: a runner host imports it without Django (anything under the
`benchcouncil` package would start the web tier's Celery app, whose Django fix-up then wants
the web settings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The one task the web tier queues for runner hosts (on `runner.<pool>`) and they register.
EXECUTE_JOB = "runners.execute_job"


def filesystem_transport_options(var_dir: Path) -> dict[str, Any]:
    broker = var_dir / "broker"
    for sub in ("queue", "processed", "control"):
        (broker / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "store_processed": False,
        # Broadcast (control) exchanges; kombu's default is a "control" folder in the
        # current directory.
        "control_folder": str(broker / "control"),
    }
