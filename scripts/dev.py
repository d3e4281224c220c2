"""Serve the site for development: migrate, then run a Celery worker beside runserver.

The worker uses the same settings as the web process, so on the embedded defaults both meet
through kombu's filesystem transport under var/broker/ and need no broker server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def main() -> int:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchcouncil.settings")
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "1"], check=True)
    subprocess.run([*manage, "dev_bootstrap"], check=True)
    queues = os.environ.get("WORKER_QUEUES", "default,runner.default")
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "benchcouncil", "worker", "-l", "info", "-Q", queues, "-c", "2"],
        start_new_session=True,
    )
    # SIGTERM (a supervisor, `kill`) unwinds like Ctrl-C, so the worker is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    address = os.environ.get("ADDRESS", "127.0.0.1:8000")
    try:
        return subprocess.run([*manage, "runserver", address], check=False).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
