"""What the rules read of a log: its key events, gathered as the lines stream past.

A log may hold millions of events; the rules need few of them: the run-wide values
(``seed``, ``global_batch_size``, hyper-parameters ...), the run's start and stop, the
epochs and the evaluations. ``collect`` keeps just those, the epochs and evaluations in
compact arrays, and ``runs.derive_run`` turns a ``LogSummary`` into a run's figures. A new
key the rules need gets a handler in ``_HANDLERS``.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mlperf_logging.mllog import constants as mlc

from .findings import PER_FILE, FindingSink
from .report import Finding, error, shown

Fields = tuple[str, str, float, Any, dict[str, Any]]
# Keys that hold one value for the whole run, whatever the benchmark.
SINGLE_KEYS = frozenset(
    {mlc.SUBMISSION_BENCHMARK, mlc.SEED, mlc.GLOBAL_BATCH_SIZE, mlc.TRAIN_SAMPLES, mlc.EVAL_SAMPLES}
)
# Sentinels in the epoch arrays: no metadata.samples (the run's train_samples then), or a bad one.
SAMPLES_MISSING, SAMPLES_BAD = -1, -2
EPOCH_BAD = 0


@dataclass(frozen=True)
class Event:
    line: int
    time_ms: float
    event_type: str
    key: str
    value: Any
    metadata: dict[str, Any]


@dataclass
class Repeats:
    """The first event of a kind, and the lines where it came again (the first PER_FILE)."""

    first: Event | None = None
    again: list[int] = field(default_factory=list)
    count: int = 0  # every repeat, listed or not

    def add(self, number: int, fields: Fields) -> None:
        if self.first is None:
            key, event_type, time_ms, value, metadata = fields
            self.first = Event(number, time_ms, event_type, key, value, metadata)
            return
        self.count += 1
        if len(self.again) < PER_FILE:
            self.again.append(number)


class EpochStops:
    """Each ``epoch_stop``'s line, epoch number and samples, as machine integers."""

    def __init__(self) -> None:
        self.lines = array("q")
        self.numbers = array("q")
        self.samples = array("q")

    def add(self, number: int, metadata: dict[str, Any], max_samples: int) -> None:
        epoch = metadata.get(mlc.EPOCH_NUM)
        valid = isinstance(epoch, int) and not isinstance(epoch, bool) and epoch >= 1
        self.lines.append(number)
        self.numbers.append(epoch if valid and isinstance(epoch, int) else EPOCH_BAD)
        self.samples.append(_samples(metadata, max_samples))

    def __len__(self) -> int:
        return len(self.lines)


def _samples(metadata: dict[str, Any], max_samples: int) -> int:
    if "samples" not in metadata:
        return SAMPLES_MISSING
    samples = metadata["samples"]
    good = not isinstance(samples, bool) and isinstance(samples, int) and 0 <= samples <= max_samples
    return samples if good else SAMPLES_BAD


class Evaluations:
    """Each ``eval_accuracy``: line, time, quality and epoch (NaN quality: not numeric)."""

    def __init__(self) -> None:
        self.lines = array("q")
        self.times = array("d")
        self.values = array("d")
        self.epochs = array("d")
        # Whether the log wrote the epoch as an integer: it is given back as one. An integer
        # a double cannot hold exactly (past 2**53) is kept aside, by index.
        self.epoch_is_int = bytearray()
        self.large_epochs: dict[int, int] = {}

    def add(self, number: int, time_ms: float, value: Any, epoch: Any) -> None:
        good = _finite_number(value) and _finite_number(epoch)
        is_int = good and type(epoch) is int
        if is_int and abs(epoch) > _EXACT_INTS:
            self.large_epochs[len(self.lines)] = epoch
        self.lines.append(number)
        self.times.append(time_ms)
        self.values.append(float(value) if good else math.nan)
        self.epochs.append(float(epoch) if good else 0.0)
        self.epoch_is_int.append(is_int)

    def epoch(self, index: int) -> int | float:
        if not self.epoch_is_int[index]:
            return self.epochs[index]
        return self.large_epochs.get(index) or int(self.epochs[index])

    def __len__(self) -> int:
        return len(self.lines)


_EXACT_INTS = 2**53


def _finite_number(value: object) -> bool:
    # A JSON true or false is an int to Python, not a number in a log.
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))  # type: ignore[arg-type]


class ValueBudget:
    """Bytes of log lines whose values the run-wide keys may hold, shared by a bundle's logs."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit


class LogSummary:
    """A log's key events and findings; see the module's docstring."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sink = FindingSink()
        self.points: dict[str, Any] = {}
        self.point_lines: dict[str, int] = {}
        self.conflicts: list[tuple[str, Finding]] = []
        self.conflicts_omitted = 0
        self.run_start = Repeats()
        self.run_stop = Repeats()
        self.epoch_start_seen = False
        self.epoch_stops = EpochStops()
        self.evals = Evaluations()
        self.budget: ValueBudget | None = None
        self.cap_conflicts = False
        # MLPerf's block logging (mlperf.py): whether the log logs blocks or epoch_stop at all.
        self.blocks_seen = False
        self.epoch_stop_seen = False
        self.block_stops: list[Event] = []
        self.block_stops_omitted = 0
        # The events apart from the seed (independence.py), and whether a seed was logged.
        self.digest = hashlib.sha256()
        self.seed_logged = False

    @property
    def findings(self) -> list[Finding]:
        """The findings of reading the log (not yet of the rules), capped."""
        return self.sink.findings()

    def finish(self, not_utf8: Finding | None, lines: FindingSink) -> None:
        # A file that is not UTF-8 is said first, wherever its first bad byte is.
        collected, self.sink = self.sink, FindingSink(per_file=lines.per_file)
        if not_utf8 is not None:
            self.sink.add(not_utf8)
        self.sink.absorb(lines)
        self.sink.absorb(collected)

    def point(self, number: int, key: str, value: Any) -> None:
        if key not in self.points:
            # The run-wide keys are few and read once; hyper-parameters outlive the log.
            held = key not in SINGLE_KEYS and self.budget is not None
            if held and not self._afford(number, _size(value)):
                return
            self.points[key], self.point_lines[key] = value, number
        elif self.points[key] != value:
            self._conflict(number, key, value)

    def _afford(self, number: int, size: int) -> bool:
        assert self.budget is not None
        if size <= self.budget.left:
            self.budget.left -= size
            return True
        if self.budget.left >= 0:
            self.budget.left = -1  # said once per bundle
            message = (
                f"{self.name} line {number}: the bundle's logs state more than {self.budget.limit} bytes "
                "of run-wide values and hyper-parameters; the rest are not read"
            )
            self.sink.add(error("log.too_many_values", message, f"{self.name}:{number}"))
        return False

    def _conflict(self, number: int, key: str, value: Any) -> None:
        if self.cap_conflicts and len(self.conflicts) >= PER_FILE:
            self.conflicts_omitted += 1
            return
        message = (
            f"{self.name} line {number}: {key} is {shown(value)} here but "
            f"{shown(self.points[key])} earlier; a run has one value"
        )
        self.conflicts.append((key, error("log.conflicting_value", message, f"{self.name}:{number}")))


def missing_key(name: str, key: str) -> Finding:
    return error("log.missing_key", f"{name} never logs {key!r}, which every run must log", name)


# run_start and run_stop are found by key alone, as mlperf-logging finds them: some submitters
# log run_stop as a POINT_IN_TIME event, which its compliance checker accepts.
def _run_start(log: LogSummary, number: int, fields: Fields) -> None:
    log.run_start.add(number, fields)


def _run_stop(log: LogSummary, number: int, fields: Fields) -> None:
    log.run_stop.add(number, fields)


def _epoch_start(log: LogSummary, number: int, fields: Fields) -> None:
    log.epoch_start_seen = True


# epoch_stop is found by key too, whatever closes it: composer's MLPerf logs (MosaicML) write
# epoch_start and epoch_stop as POINT_IN_TIME events.
def _epoch_stop(log: LogSummary, number: int, fields: Fields) -> None:
    log.epoch_stop_seen = True
    if fields[1] != mlc.INTERVAL_START:
        log.epoch_stops.add(number, fields[4], MAX_SAMPLES)


def _block_start(log: LogSummary, number: int, fields: Fields) -> None:
    log.blocks_seen = True


def _block_stop(log: LogSummary, number: int, fields: Fields) -> None:
    log.blocks_seen = True
    if fields[1] != mlc.INTERVAL_END:
        return
    if len(log.block_stops) >= MAX_BLOCK_STOPS:
        log.block_stops_omitted += 1
        return
    key, event_type, time_ms, value, metadata = fields
    # Only what block counting reads is kept: the rest of a block's metadata is not needed.
    kept = {k: metadata[k] for k in _BLOCK_METADATA if k in metadata}
    log.block_stops.append(Event(number, time_ms, event_type, key, None, kept))


def _eval(log: LogSummary, number: int, fields: Fields) -> None:
    if fields[1] == mlc.POINT_IN_TIME:
        log.evals.add(number, fields[2], fields[3], fields[4].get(mlc.EPOCH_NUM))


# Samples summed over up to a log's line limit of epochs must fit a BIGINT column.
MAX_SAMPLES = 2**40
_HANDLERS: dict[str, Callable[[LogSummary, int, Fields], None]] = {
    mlc.RUN_START: _run_start,
    mlc.RUN_STOP: _run_stop,
    mlc.EPOCH_START: _epoch_start,
    mlc.EPOCH_STOP: _epoch_stop,
    mlc.EVAL_ACCURACY: _eval,
    mlc.BLOCK_START: _block_start,
    mlc.BLOCK_STOP: _block_stop,
}
# A training run logs a block per few epochs; far more block_stops are no run's, and past this
# many they are counted, not held.
MAX_BLOCK_STOPS = 10_000
_BLOCK_METADATA = ("first_epoch_num", "epoch_count", "samples_count")
_MAX_KNOWN_KEYS = 10_000


def collect(
    log: LogSummary,
    events: Iterable[tuple[int, Fields]],
    keep: Callable[[str], bool] | None,
    budget: ValueBudget | None = None,
) -> None:
    """Gather ``events`` into ``log``; ``keep`` picks the run-wide keys (None: all of them)."""
    log.budget, log.cap_conflicts = budget, keep is not None
    known: dict[str, bool] = {}
    handlers, point_in_time = _HANDLERS, mlc.POINT_IN_TIME
    for number, fields in events:
        key = fields[0]
        handler = handlers.get(key)
        if handler is not None:
            handler(log, number, fields)
        if fields[1] != point_in_time:
            continue
        wanted = known.get(key)
        if wanted is None:
            wanted = key in SINGLE_KEYS or keep is None or keep(key)
            if len(known) < _MAX_KNOWN_KEYS:
                known[key] = wanted
        if wanted:
            log.point(number, key, fields[3])


def _size(value: Any) -> int:
    # What holding a value costs, roughly: its text length. Cheap for the usual scalars.
    if value is None or isinstance(value, bool | int | float):
        return 16
    return len(repr(value))
