"""A runner host's settings: read without Django, meeting the web tier's broker folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
from runners.worker.config import RunnerConfig

options = RunnerConfig.from_env().broker_transport_options()
loaded = sorted(n for n in sys.modules if n.split(".")[0] in ("django", "benchcouncil"))
print(json.dumps({"options": options, "loaded": loaded}))
"""


def _runner_config(tmp_path: Path, broker: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL")}
    env.update(BENCHCOUNCIL_VAR_DIR=str(tmp_path), RUNNER_BROKER_URL=broker)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_a_runner_host_reads_the_broker_folders_without_django(tmp_path, settings) -> None:
    found = _runner_config(tmp_path, "filesystem://")
    assert found["loaded"] == []  # no Django, no web settings on a runner host
    options = found["options"]
    assert options["data_folder_in"] == options["data_folder_out"] == str(tmp_path / "broker" / "queue")
    assert options["control_folder"] == str(tmp_path / "broker" / "control")
    assert all(Path(options[k]).is_dir() for k in ("data_folder_in", "processed_folder", "control_folder"))
    # The web tier's settings, for the same folder, name the same places.
    from runners.broker import filesystem_transport_options

    assert filesystem_transport_options(tmp_path) == options


def test_a_broker_server_needs_no_folders(tmp_path) -> None:
    assert _runner_config(tmp_path, "redis://127.0.0.1:6379/0")["options"] == {}
    assert not (tmp_path / "broker").exists()
