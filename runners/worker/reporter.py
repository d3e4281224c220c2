"""Heartbeats, progress and the log tail of one job, sent from a background thread.

Training never waits on the network: the harness's callbacks only record what happened,
and this thread sends it every heartbeat interval. The heartbeat's answer is how the runner
hears that the job was cancelled (or re-queued elsewhere), which `should_stop` passes on.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import threading
import time
from typing import Any

from .client import JobClient, JobRevoked, ServiceError

logger = logging.getLogger(__name__)

LOG_LINES = 200
HARNESS_LOGGER = "runners.harness"


def _plain(value: Any) -> Any:
    """A JSON-able copy of what the harness reports (dicts, dataclasses, numbers)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class _TailHandler(logging.Handler):
    def __init__(self, reporter: JobReporter) -> None:
        super().__init__(level=logging.INFO)
        self.reporter = reporter
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.reporter.log(self.format(record))
        except Exception:  # noqa: BLE001 - logging must never break training
            self.handleError(record)


class JobReporter:
    def __init__(self, client: JobClient, interval_s: float) -> None:
        self.client = client
        self.interval_s = interval_s
        self.cancelled = threading.Event()
        self.revoked = False
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._progress: dict[str, Any] = {}
        self._dirty = False
        self._lines: collections.deque[str] = collections.deque(maxlen=LOG_LINES)
        self._handler = _TailHandler(self)
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{client.job_id}", daemon=True)
        self._started = time.monotonic()

    # --- what the harness calls ---------------------------------------------------------

    def on_progress(self, payload: Any) -> None:
        progress = _plain(payload)
        if not isinstance(progress, dict):
            progress = {"message": progress}
        progress.setdefault("elapsed_s", round(time.monotonic() - self._started, 1))
        with self._lock:
            # The harness logs each progress event itself: the log tail has it already.
            self._progress = progress
            self._dirty = True

    @property
    def state(self) -> str | None:
        """The harness's last reported state: running, finished, cancelled, timed_out, failed."""
        with self._lock:
            return self._progress.get("state")

    def should_stop(self) -> bool:
        return self.cancelled.is_set()

    def log(self, line: str) -> None:
        with self._lock:
            self._lines.append(line)
            self._dirty = True

    # --- the thread ----------------------------------------------------------------------

    def __enter__(self) -> JobReporter:
        logging.getLogger(HARNESS_LOGGER).addHandler(self._handler)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=self.interval_s + 35)
        logging.getLogger(HARNESS_LOGGER).removeHandler(self._handler)

    def _loop(self) -> None:
        while not self._done.wait(self.interval_s):
            self.beat()

    def beat(self) -> None:
        """One heartbeat, and the progress if it changed; never raises."""
        try:
            answer = self.client.heartbeat()
            if answer.get("cancel"):
                self._stop(f"the service says the job is {answer.get('status')}: stopping")
                return
            self.flush()
        except JobRevoked as exc:
            self.revoked = True
            self._stop(f"the service no longer accepts this job's secret ({exc.status}): stopping")
        except ServiceError as exc:
            # A blip: the next beat tries again; the service's timeout is several beats long.
            logger.warning("heartbeat for job %s failed: %s", self.client.job_id, exc)

    def flush(self) -> None:
        with self._lock:
            dirty, progress, tail = self._dirty, dict(self._progress), "\n".join(self._lines)
            self._dirty = False
        if dirty:
            answer = self.client.progress(progress, tail)
            if answer.get("cancel"):
                self._stop(f"the service says the job is {answer.get('status')}: stopping")

    def _stop(self, why: str) -> None:
        if not self.cancelled.is_set():
            logger.info("job %s: %s", self.client.job_id, why)
            self.log(why)
        self.cancelled.set()
