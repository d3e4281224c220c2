"""A run's epochs, from its ``epoch_stop`` events: how many, and the samples they processed."""

from __future__ import annotations

from mlperf_logging.mllog import constants as mlc

from .findings import FindingSink
from .log_summary import EPOCH_BAD, SAMPLES_BAD, SAMPLES_MISSING, LogSummary, missing_key
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
