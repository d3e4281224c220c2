"""One rank of a job on a Slurm allocation, as torchrun starts it on every node.

Rank 0 is the job's voice: it reads the job's secret and host token (and deletes the file), heart-beats,
posts progress and the log tail, and uploads the one bundle the harness writes, exactly as a
single host does (runners.worker.tasks.run_and_report). The other ranks only train. A SIGTERM
(scancel, Slurm's time limit) stops every rank at the next step; the runner on the login node
then tells the service what Slurm did.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from catalogue import get_catalogue

from .client import JobClient
from .sbatch import JobFiles

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    from runners.harness import run_job, validate_config

    parser = argparse.ArgumentParser(prog="python -m runners.worker.slurm_rank")
    parser.add_argument("--job-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    files = JobFiles(args.job_dir)
    spec = files.read_spec()
    stopping = _stop_on_signals()
    rank = int(os.environ.get("RANK", "0"))
    checked, errors = validate_config(spec["config"], get_catalogue())
    if rank != 0:
        if checked is None:
            return 2
        run_job(checked, files.dir / "out", should_stop=stopping)
        return 0
    secret, host_token = files.read_secret()
    client = JobClient(spec["service_url"], spec["job_id"], secret, host_token=host_token)
    files.forget_secret()  # in this process's memory only from here on
    if checked is None:
        client.fail("The runner's harness refused the configuration: " + "; ".join(errors))
        return 2
    from .tasks import run_and_report

    outcome = run_and_report(client, checked, files.dir / "out", spec["heartbeat_interval_s"], stopping)
    logger.info("job %s on rank 0: %s", spec["job_id"], outcome)
    return 0 if outcome in ("finished", "cancelled") else 1


def _stop_on_signals() -> _Flag:
    flag = _Flag()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        flag.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return flag


class _Flag:
    def __init__(self) -> None:
        self.value = False

    def set(self) -> None:
        self.value = True

    def __call__(self) -> bool:
        return self.value


if __name__ == "__main__":
    sys.exit(main())
