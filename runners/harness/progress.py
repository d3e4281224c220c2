"""Live progress: the dict passed to on_progress, and the lines a log tail shows."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("runners.harness")

RUNNING, FINISHED, CANCELLED, TIMED_OUT, FAILED = "running", "finished", "cancelled", "timed_out", "failed"
PROGRESS_PREFIX = ":::PROGRESS "  # one JSON object per line, beside the :::MLLOG lines

ProgressCallback = Callable[[dict[str, Any]], None]


@dataclass
class Progress:
    """Turns epoch events into progress dicts with an estimate of the time left."""

    runs: int
    max_epochs: int
    target: float
    callback: ProgressCallback | None = None
    finished_runs: list[tuple[int, float]] = field(default_factory=list)  # (epochs, seconds)

    def epoch(self, run: int, epoch: int, quality: float | None, seconds_per_epoch: float) -> None:
        self.emit(run=run, epoch=epoch, quality=quality, eta_s=self.eta(run, epoch, seconds_per_epoch))

    def run_finished(self, run: int, epochs: int, seconds: float) -> None:
        self.finished_runs.append((epochs, seconds))

    def eta(self, run: int, epoch: int, seconds_per_epoch: float) -> float:
        """Seconds left: finished runs predict the others; before any, assume the epoch limit."""
        if self.finished_runs:
            expected = sum(e for e, _ in self.finished_runs) / len(self.finished_runs)
            per_run = sum(s for _, s in self.finished_runs) / len(self.finished_runs)
        else:
            expected, per_run = float(self.max_epochs), self.max_epochs * seconds_per_epoch
        this_run = max(expected - epoch, 0.0) * seconds_per_epoch
        return round(this_run + (self.runs - run) * per_run, 1)

    def emit(
        self, *, run: int, epoch: int, quality: float | None, eta_s: float | None, state: str = RUNNING
    ) -> None:
        event = {
            "state": state,
            "run": run,
            "runs": self.runs,
            "epoch": epoch,
            "max_epochs": self.max_epochs,
            "quality": quality,
            "target": self.target,
            "eta_s": eta_s,
        }
        logger.info(
            "run %d/%d epoch %d/%d quality %s target %s eta %ss [%s]",
            run, self.runs, epoch, self.max_epochs, quality, self.target, eta_s, state,
        )  # fmt: skip
        if self.callback is not None:
            self.callback(event)


def progress_line(event: dict[str, Any]) -> str:
    return PROGRESS_PREFIX + json.dumps(event, sort_keys=True)


def parse_progress_line(line: str) -> dict[str, Any] | None:
    if not line.startswith(PROGRESS_PREFIX):
        return None
    try:
        event = json.loads(line[len(PROGRESS_PREFIX) :])
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) else None
