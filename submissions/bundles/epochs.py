"""A run's epochs, from its ``epoch_stop`` events (or MLPerf's blocks): how many, and their samples."""

from __future__ import annotations

import math

from mlperf_logging.mllog import constants as mlc

from .findings import FindingSink
from .log_summary import (
    EPOCH_BAD,
    MAX_BLOCK_STOPS,
    MAX_SAMPLES,
    SAMPLES_BAD,
    SAMPLES_MISSING,
    LogSummary,
    missing_key,
)
from .mlperf import block_epochs
from .report import RunReport, error

# Epoch numbers below this are marked in a bitmap (at most 2 MiB), larger ones in a set:
# a log of two million epochs then costs bits, not Python integers.
_BITMAP_EPOCHS = 1 << 24


class _EpochSet:
    def __init__(self) -> None:
        self._bits = bytearray()
        self._large: set[int] = set()
        self.size = 0

    def add(self, number: int) -> bool:
        """Mark ``number``; False when it was marked already."""
        if number >= _BITMAP_EPOCHS:
            if number in self._large:
                return False
            self._large.add(number)
        else:
            byte, bit = divmod(number, 8)
            if byte >= len(self._bits):
                self._bits.extend(bytes(max(byte + 1 - len(self._bits), len(self._bits))))
            if self._bits[byte] >> bit & 1:
                return False
            self._bits[byte] |= 1 << bit
        self.size += 1
        return True


def count_epochs(log: LogSummary, report: RunReport, train_samples: int | None, sink: FindingSink) -> None:
    if not log.epoch_stop_seen and log.blocks_seen:
        _count_blocks(log, report, train_samples, sink)
        return
    name, stops = log.name, log.epoch_stops
    if not log.epoch_start_seen:
        sink.add(missing_key(name, mlc.EPOCH_START))
    seen = _EpochSet()
    for index in range(len(stops)):
        line, number = stops.lines[index], stops.numbers[index]
        where = f"{name}:{line}"
        if number == EPOCH_BAD:
            message = (
                f"{name} line {line}: {mlc.EPOCH_STOP} needs metadata.epoch_num, an integer counted from 1"
            )
            sink.add(error("log.bad_value", message, where))
            continue
        if not seen.add(number):
            message = f"{name} line {line}: epoch {number} stops twice; its samples count once"
            sink.add(error("log.duplicate_epoch", message, where))
            continue
        report.samples_processed += _samples(stops.samples[index], train_samples, (name, line), sink)
    report.epochs_completed = seen.size
    if not seen.size:
        sink.add(missing_key(name, mlc.EPOCH_STOP))


def _samples(samples: int, train_samples: int | None, at: tuple[str, int], sink: FindingSink) -> int:
    name, line = at
    where = f"{name}:{line}"
    if samples == SAMPLES_MISSING:
        samples = train_samples or 0
    if samples == SAMPLES_BAD:
        sink.add(
            error("log.bad_value", f"{name} line {line}: metadata.samples must be a whole number", where)
        )
        return 0
    if train_samples is not None and samples > train_samples:
        # More samples than the data set holds would inflate the run's FLOPs.
        message = (
            f"{name} line {line}: epoch claims {samples} samples, more than train_samples ({train_samples})"
        )
        sink.add(error("log.epoch_samples", message, where))
        return train_samples
    return samples


def _count_blocks(log: LogSummary, report: RunReport, train_samples: int | None, sink: FindingSink) -> None:
    """A run logged in MLPerf's blocks: each epoch a completed block covers counts once."""
    name = log.name
    if not log.block_stops:
        sink.add(missing_key(name, mlc.BLOCK_STOP))
    if log.block_stops_omitted:
        message = (
            f"{name}: {len(log.block_stops) + log.block_stops_omitted} {mlc.BLOCK_STOP} events; "
            f"only the first {MAX_BLOCK_STOPS} are counted"
        )
        sink.add(error("log.bad_value", message, name))
    evals = log.evals
    # An evaluation whose value is not numeric (NaN here) says nothing of its epoch.
    timed = [(evals.times[i], evals.epoch(i)) for i in range(len(evals)) if not math.isnan(evals.values[i])]
    count = block_epochs(
        log.block_stops, name=name, train_samples=train_samples, max_samples=MAX_SAMPLES, evals=timed
    )
    sink.extend(count.findings)
    report.epochs_completed = count.epochs
    report.samples_processed = count.samples
