"""MLPerf Training logs (rounds v1.0 to v4.x) read as MLPerf's own tools read them.

Three conventions differ from the project's own runners' logs, and each is read here from
already-parsed events, so the line parser stays one simple loop:

- Some submitters write no ``event_type``; mlperf-logging never reads it. The kind is
  inferred from the key (``*_start`` opens an interval, ``*_stop`` closes one).
- Training is logged in blocks: ``block_start``/``block_stop`` with
  ``metadata.first_epoch_num`` and ``metadata.epoch_count`` instead of one
  ``epoch_start``/``epoch_stop`` pair per epoch. Each epoch a completed block covers counts
  once (blocks may overlap by one epoch where a submitter numbers the first block from 0 and
  the next from its last epoch); epochs may be numbered from 0 or 1.
- Samples are ``train_samples`` x the epochs covered, unless the blocks log a running
  ``samples_count`` (newer rounds): then the largest count is the samples processed.

MLPerf's hyper-parameter names (``sgd_opt_*``, ``lars_opt_*``) are mapped to the catalogue's
by the catalogue's ``[mlperf.hyperparameter_names]`` table (docs/bundle-format.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlperf_logging.mllog import constants as mlc

from .findings import at_line
from .report import Finding, error, shown

BLOCK_START, BLOCK_STOP = mlc.BLOCK_START, mlc.BLOCK_STOP
FIRST_EPOCH, EPOCH_COUNT, SAMPLES_COUNT = "first_epoch_num", "epoch_count", "samples_count"
# The most epochs one block may claim: more than any benchmark trains, and it bounds the set below.
MAX_BLOCK_EPOCHS = 10_000


def infer_event_type(key: str) -> str:
    """The event type mlperf-logging would have written for ``key``."""
    if key.endswith("_start"):
        return mlc.INTERVAL_START
    if key.endswith("_stop"):
        return mlc.INTERVAL_END
    return mlc.POINT_IN_TIME


@dataclass
class BlockCount:
    epochs: int = 0
    samples: int = 0
    findings: list[Finding] = field(default_factory=list)


def logs_blocks(keys: Iterable[str]) -> bool:
    return any(key in (BLOCK_START, BLOCK_STOP) for key in keys)


def block_epochs(
    stops: Sequence[Any],
    *,
    name: str,
    train_samples: int | None,
    max_samples: int,
    evals: Sequence[tuple[float, Any]] = (),
) -> BlockCount:
    """Epochs and samples from a run's ``block_stop`` events (objects with line, time and metadata).

    ``evals`` are the run's evaluations as (time_ms, metadata.epoch_num).

    A block that does not say how many epochs it holds (one ``block_stop`` for the whole run,
    as some submitters log) covers its first epoch to the last one evaluated before it stops:
    mlperf-logging's RCP checker counts a run's epochs from ``eval_accuracy``'s epoch_num too.
    """
    count = BlockCount()
    covered: set[int] = set()
    logged_samples: list[int] = []
    for event in stops:
        epochs = _block_range(event, name, count.findings, evals)
        if epochs is not None:
            covered.update(epochs)
        samples = event.metadata.get(SAMPLES_COUNT)
        if _whole(samples) and 0 <= samples <= max_samples:
            logged_samples.append(int(samples))
    count.epochs = len(covered)
    if logged_samples:
        count.samples = max(logged_samples)
    elif train_samples is not None:
        count.samples = min(train_samples * count.epochs, max_samples)
    return count


def _whole(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and float(value).is_integer()


def _block_range(
    event: Any, name: str, findings: list[Finding], evals: Sequence[tuple[float, Any]]
) -> range | None:
    first, count = event.metadata.get(FIRST_EPOCH), event.metadata.get(EPOCH_COUNT)
    if count is None and _whole(first) and first >= 0:
        count = _evaluated_epochs(event, int(first), evals)
    if _whole(first) and _whole(count) and first >= 0 and 1 <= count <= MAX_BLOCK_EPOCHS:
        return range(int(first), int(first) + int(count))
    findings.append(
        error(
            "log.bad_value",
            f"{name} line {event.line}: block_stop needs metadata.first_epoch_num (a whole number "
            f"from 0) and metadata.epoch_count (1 to {MAX_BLOCK_EPOCHS}); "
            f"it has {_given(FIRST_EPOCH, first)} and {_given(EPOCH_COUNT, count)}",
            f"{name}:{event.line}",
        )
    )
    return None


def _given(key: str, value: Any) -> str:
    # The metadata as the log wrote it; None is what a key never written (or null) reads as.
    return f"no {key}" if value is None else f"{key} {shown(value)}"


def _evaluated_epochs(stop: Any, first: int, evals: Sequence[tuple[float, Any]]) -> int | None:
    numbers = [epoch for time_ms, epoch in evals if time_ms <= stop.time_ms]
    last = max((int(n) for n in numbers if _whole(n) and n >= first), default=None)
    return None if last is None else last - first + 1


def catalogue_names(
    logged: Mapping[str, Any], names: Mapping[str, str], *, name: str, lines: Mapping[str, int]
) -> tuple[dict[str, Any], dict[str, int], list[Finding]]:
    """Add the catalogue's name for each MLPerf-named hyper-parameter the log states.

    ``lines`` are the lines that state ``logged``; the answer's lines add the catalogue's names.
    Two logged names for one catalogue name must agree: a log that states
    ``opt_base_learning_rate`` 0.1 and ``lars_opt_base_learning_rate`` 17 trained with 17.
    """
    result, result_lines = dict(logged), dict(lines)
    findings: list[Finding] = []
    for mlperf_name, value in logged.items():
        ours = names.get(mlperf_name)
        if ours is None:
            continue
        if ours in result and result[ours] != value:
            where, location = at_line(name, lines.get(mlperf_name))
            first = f" (line {result_lines[ours]})" if ours in result_lines else ""
            findings.append(
                error(
                    "log.conflicting_value",
                    f"{where}: {mlperf_name} is {shown(value)} but {ours} is {shown(result[ours])}{first}; "
                    f"both name the catalogue's {ours}",
                    location,
                )
            )
            continue
        result[ours] = value
        if mlperf_name in lines:
            result_lines[ours] = lines[mlperf_name]
    return result, result_lines, findings
