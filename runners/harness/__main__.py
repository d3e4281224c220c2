"""CLI: `python -m runners.harness run --config cfg.json --out DIR` and `... report`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

from catalogue import get_catalogue

from .config import validate_config
from .hardware import host_report
from .job import run_job
from .progress import progress_line

ARCHIVE_PREFIX = ":::ARCHIVE "  # the last line of a run: where the bundle is


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runners.harness")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a job and write its bundle")
    run.add_argument("--config", type=Path, required=True, help="job configuration (JSON)")
    run.add_argument("--out", type=Path, required=True, help="directory for the bundle")
    commands.add_parser("report", help="print the host hardware report as JSON")
    args = parser.parse_args(argv)
    if args.command == "report":
        print(json.dumps(host_report(), indent=2))
        return 0
    return _run(args.config, args.out)


def _run(config_path: Path, out: Path) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    raw = json.loads(config_path.read_text())
    config, errors = validate_config(raw, get_catalogue())
    if config is None:
        for error in errors:
            print(f"config: {error}", file=sys.stderr)
        return 2
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping  # SIGTERM/SIGINT stop the job at the next step, still writing a bundle
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    archive = run_job(
        config, out, on_progress=lambda e: print(progress_line(e), flush=True),
        should_stop=lambda: stopping, echo_mllog=True,
    )  # fmt: skip
    print(ARCHIVE_PREFIX + str(archive), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
