"""Per-run figures derived from one parsed log, as docs/bundle-format.md defines them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from mlperf_logging.mllog import constants as mlc

from .mllog import Event, ParsedLog
from .report import Finding, RunReport, error, shown, warning

PRECISION = "precision"
# MLLOG keys that are hyper-parameters even when the catalogue's reference omits them.
_HYPER_KEYS = frozenset({mlc.GLOBAL_BATCH_SIZE, mlc.GRADIENT_ACCUMULATION_STEPS, PRECISION})
_HYPER_PREFIXES = ("opt_", "lars_opt_")
# Upper bounds that keep the derived figures inside their database columns: a batch is an
# INTEGER there, and samples (summed over up to a log's line limit of epochs) a BIGINT.
MAX_BATCH_SIZE = 2**31 - 1
MAX_SAMPLES = 2**40


@dataclass(frozen=True)
class Target:
    """What a run is measured against; ``quality`` is None when the benchmark is unknown."""

    quality: float | None
    higher_is_better: bool = True
    per_sample_flops: float | None = None
    reference_keys: frozenset[str] = frozenset()


@dataclass
class RunFacts:
    """A run's report plus the logged facts that only the rules need."""

    report: RunReport
    mllog_benchmark: Any = None
    train_samples: int | None = None
    logged_hyperparameters: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def is_hyperparameter(key: str, reference_keys: frozenset[str]) -> bool:
    return key in _HYPER_KEYS or key in reference_keys or key.startswith(_HYPER_PREFIXES)


def derive_run(log: ParsedLog, target: Target, file_hyperparameters: dict[str, Any]) -> RunFacts:
    facts = RunFacts(RunReport(log_name=log.name))
    points = _points(log, facts, target.reference_keys)
    facts.mllog_benchmark = _required(points, mlc.SUBMISSION_BENCHMARK, log.name, facts)
    facts.report.seed = _integer(points, mlc.SEED, log.name, facts, minimum=None)
    facts.report.global_batch_size = _integer(
        points, mlc.GLOBAL_BATCH_SIZE, log.name, facts, minimum=1, maximum=MAX_BATCH_SIZE
    )
    facts.train_samples = _integer(points, mlc.TRAIN_SAMPLES, log.name, facts, minimum=1, maximum=MAX_SAMPLES)
    facts.logged_hyperparameters = {
        k: v for k, v in points.items() if is_hyperparameter(k, target.reference_keys)
    }
    facts.report.hyperparameters = {**file_hyperparameters, **facts.logged_hyperparameters}
    start = _interval_edge(log, mlc.RUN_START, mlc.INTERVAL_START, facts)
    stop = _interval_edge(log, mlc.RUN_STOP, mlc.INTERVAL_END, facts)
    _timing(start, stop, log.name, facts)
    _status(stop, log.name, facts)
    _epochs(log, facts)
    _curve(log, start, stop, target, facts)
    _flops(target, facts)
    return facts


def _points(log: ParsedLog, facts: RunFacts, reference_keys: frozenset[str]) -> dict[str, Any]:
    """First value of every point-in-time key that should hold one value for the whole run."""
    single = {mlc.SUBMISSION_BENCHMARK, mlc.SEED, mlc.GLOBAL_BATCH_SIZE, mlc.TRAIN_SAMPLES, mlc.EVAL_SAMPLES}
    values: dict[str, Any] = {}
    for event in log.events:
        if event.event_type != mlc.POINT_IN_TIME:
            continue
        if event.key not in single and not is_hyperparameter(event.key, reference_keys):
            continue
        if event.key not in values:
            values[event.key] = event.value
        elif values[event.key] != event.value:
            facts.findings.append(
                error(
                    "log.conflicting_value",
                    f"{log.name} line {event.line}: {event.key} is {shown(event.value)} here but "
                    f"{shown(values[event.key])} earlier; a run has one value",
                    f"{log.name}:{event.line}",
                )
            )
    return values


def _missing(key: str, name: str, facts: RunFacts) -> None:
    facts.findings.append(
        error("log.missing_key", f"{name} never logs {key!r}, which every run must log", name)
    )


def _required(points: dict[str, Any], key: str, name: str, facts: RunFacts) -> Any:
    if key not in points:
        _missing(key, name, facts)
    return points.get(key)


def _integer(
    points: dict[str, Any],
    key: str,
    name: str,
    facts: RunFacts,
    minimum: int | None,
    maximum: int | None = None,
) -> int | None:
    value = _required(points, key, name, facts)
    if key not in points:
        return None
    wrong = isinstance(value, bool) or not isinstance(value, int)
    if wrong or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        wanted = "an integer" if minimum is None else f"an integer of at least {minimum}"
        wanted += f" and at most {maximum}" if maximum is not None else ""
        facts.findings.append(
            error("log.bad_value", f"{name}: {key} is {shown(value)}; it must be {wanted}", name)
        )
        return None
    return value


def _interval_edge(log: ParsedLog, key: str, event_type: str, facts: RunFacts) -> Event | None:
    found = [e for e in log.events if e.key == key and e.event_type == event_type]
    if not found:
        _missing(key, log.name, facts)
        return None
    for extra in found[1:]:
        facts.findings.append(
            error(
                "log.duplicate_event",
                f"{log.name} line {extra.line}: a second {key}; one log holds exactly one run",
                f"{log.name}:{extra.line}",
            )
        )
    return found[0]


def _timing(start: Event | None, stop: Event | None, name: str, facts: RunFacts) -> None:
    if start is not None:
        facts.report.run_start_ms = round(start.time_ms)
    if stop is not None:
        facts.report.run_stop_ms = round(stop.time_ms)
    if start is None or stop is None:
        return
    if stop.time_ms <= start.time_ms:
        facts.findings.append(
            error(
                "log.bad_timing",
                f"{name} line {stop.line}: run_stop is not after run_start",
                f"{name}:{stop.line}",
            )
        )
        return
    facts.report.time_to_train_s = (stop.time_ms - start.time_ms) / 1000


def _status(stop: Event | None, name: str, facts: RunFacts) -> None:
    if stop is None:
        return
    status = stop.metadata.get(mlc.STATUS)
    if status in (mlc.SUCCESS, mlc.ABORTED):
        facts.report.status = status
        return
    facts.findings.append(
        error(
            "log.bad_value",
            f"{name} line {stop.line}: run_stop metadata.status is {shown(status)}; "
            "use 'success' or 'aborted'",
            f"{name}:{stop.line}",
        )
    )


def _epoch_number(event: Event, name: str, facts: RunFacts) -> int | None:
    number = event.metadata.get(mlc.EPOCH_NUM)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        facts.findings.append(
            error(
                "log.bad_value",
                f"{name} line {event.line}: {event.key} needs metadata.epoch_num, an integer counted from 1",
                f"{name}:{event.line}",
            )
        )
        return None
    return number


def _epoch_samples(event: Event, name: str, facts: RunFacts) -> int:
    samples = event.metadata.get("samples", facts.train_samples or 0)
    where = f"{name}:{event.line}"
    if isinstance(samples, bool) or not isinstance(samples, int) or not 0 <= samples <= MAX_SAMPLES:
        facts.findings.append(
            error(
                "log.bad_value", f"{name} line {event.line}: metadata.samples must be a whole number", where
            )
        )
        return 0
    if facts.train_samples is not None and samples > facts.train_samples:
        # More samples than the data set holds would inflate the run's FLOPs.
        facts.findings.append(
            error(
                "log.epoch_samples",
                f"{name} line {event.line}: epoch claims {samples} samples, more than train_samples "
                f"({facts.train_samples})",
                where,
            )
        )
        return facts.train_samples
    return samples


def _epochs(log: ParsedLog, facts: RunFacts) -> None:
    if not any(e.key == mlc.EPOCH_START for e in log.events):
        _missing(mlc.EPOCH_START, log.name, facts)
    seen: set[int] = set()
    for event in (e for e in log.events if e.key == mlc.EPOCH_STOP and e.event_type == mlc.INTERVAL_END):
        number = _epoch_number(event, log.name, facts)
        if number is None:
            continue
        if number in seen:
            facts.findings.append(
                error(
                    "log.duplicate_epoch",
                    f"{log.name} line {event.line}: epoch {number} stops twice; its samples count once",
                    f"{log.name}:{event.line}",
                )
            )
            continue
        seen.add(number)
        facts.report.samples_processed += _epoch_samples(event, log.name, facts)
    facts.report.epochs_completed = len(seen)
    if not seen:
        _missing(mlc.EPOCH_STOP, log.name, facts)


def _finite_number(value: object) -> TypeGuard[int | float]:
    # A JSON true or false is an int to Python, not a number in a log.
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _eval(event: Event, name: str, facts: RunFacts) -> tuple[float, int | float] | None:
    value, epoch = event.value, event.metadata.get(mlc.EPOCH_NUM)
    if not (_finite_number(value) and _finite_number(epoch)):
        facts.findings.append(
            error(
                "log.bad_value",
                f"{name} line {event.line}: eval_accuracy needs a numeric value and metadata.epoch_num",
                f"{name}:{event.line}",
            )
        )
        return None
    return float(value), epoch


def _curve(log: ParsedLog, start: Event | None, stop: Event | None, target: Target, facts: RunFacts) -> None:
    evals = [e for e in log.events if e.key == mlc.EVAL_ACCURACY and e.event_type == mlc.POINT_IN_TIME]
    if not evals:
        _missing(mlc.EVAL_ACCURACY, log.name, facts)
    if start is None:
        return
    end = stop.time_ms if stop is not None else math.inf
    for event in evals:
        parsed = _eval(event, log.name, facts)
        if parsed is None:
            continue
        if not start.time_ms <= event.time_ms <= end:
            facts.findings.append(
                warning(
                    "log.event_outside_run",
                    f"{log.name} line {event.line}: eval_accuracy outside run_start..run_stop is not counted",
                    f"{log.name}:{event.line}",
                )
            )
            continue
        _add_point(facts.report, parsed, (event.time_ms - start.time_ms) / 1000, target)
    facts.report.converged = facts.report.status == mlc.SUCCESS and facts.report.time_to_quality_s is not None


def _add_point(report: RunReport, parsed: tuple[float, int | float], time_s: float, target: Target) -> None:
    quality, epoch = parsed
    report.curve.append({"epoch": epoch, "time_s": time_s, "quality": quality})
    report.achieved_quality = quality
    if report.time_to_quality_s is None and target.quality is not None:
        reached = quality >= target.quality if target.higher_is_better else quality <= target.quality
        report.time_to_quality_s = time_s if reached else None


def _flops(target: Target, facts: RunFacts) -> None:
    facts.report.per_sample_flops = target.per_sample_flops
    if target.per_sample_flops is not None:
        facts.report.total_flops = target.per_sample_flops * facts.report.samples_processed
