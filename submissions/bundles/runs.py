"""Per-run figures derived from one log's summary, as docs/bundle-format.md defines them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlperf_logging.mllog import constants as mlc

from .curve import MAX_CURVE_POINTS, curve
from .epochs import count_epochs
from .findings import FindingSink, at_line
from .log_summary import MAX_SAMPLES, SINGLE_KEYS, Event, LogSummary, missing_key
from .mlperf import catalogue_names
from .report import Finding, RunReport, error, shown

PRECISION = "precision"
# MLLOG keys that are hyper-parameters even when the catalogue's reference omits them.
_HYPER_KEYS = frozenset({mlc.GLOBAL_BATCH_SIZE, mlc.GRADIENT_ACCUMULATION_STEPS, PRECISION})
_HYPER_PREFIXES = ("opt_", "lars_opt_", "sgd_opt_")
# Upper bounds that keep the derived figures inside their database columns: a batch is an
# INTEGER there, and samples (summed over up to a log's line limit of epochs) a BIGINT.
MAX_BATCH_SIZE = 2**31 - 1
_KEPT_CHARS = 1000
__all__ = ["MAX_SAMPLES", "RunFacts", "Target", "derive_run", "is_hyperparameter"]


@dataclass(frozen=True)
class Target:
    """What a run is measured against; ``quality`` is None when the benchmark is unknown."""

    quality: float | None
    higher_is_better: bool = True
    per_sample_flops: float | None = None
    reference_keys: frozenset[str] = frozenset()
    # MLPerf's hyper-parameter names -> the catalogue's (catalogue/catalogue.toml).
    mlperf_names: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass
class RunFacts:
    """A run's report plus the logged facts that only the rules need."""

    report: RunReport
    mllog_benchmark: Any = None
    train_samples: int | None = None
    logged_hyperparameters: dict[str, Any] = field(default_factory=dict)
    sink: FindingSink = field(default_factory=FindingSink)
    # The line stating each run-wide value and hyper-parameter, under the catalogue's names too.
    lines: dict[str, int] = field(default_factory=dict)

    def at(self, key: str) -> tuple[str, str]:
        """Where the log states ``key``: ``("logs/a.log line 7", "logs/a.log:7")``."""
        return at_line(self.report.log_name, self.lines.get(key))

    @property
    def findings(self) -> list[Finding]:
        """What the log's figures break (the reading's own findings are the summary's)."""
        return self.sink.findings()


def is_hyperparameter(key: str, reference_keys: frozenset[str]) -> bool:
    return key in _HYPER_KEYS or key in reference_keys or key.startswith(_HYPER_PREFIXES)


def derive_run(
    log: LogSummary,
    target: Target,
    file_hyperparameters: dict[str, Any],
    *,
    curve_points: int = MAX_CURVE_POINTS,
) -> RunFacts:
    facts = RunFacts(RunReport(log_name=log.name))
    points = _points(log, facts, target.reference_keys)
    facts.lines = {key: log.point_lines[key] for key in points if key in log.point_lines}
    facts.mllog_benchmark = _shortened(_required(points, mlc.SUBMISSION_BENCHMARK, log.name, facts))
    # A missing seed is the level's to judge (rules.missing_seed), not a malformed log.
    if mlc.SEED in points:
        facts.report.seed = _integer(points, mlc.SEED, log.name, facts, minimum=None)
    facts.report.global_batch_size = _integer(
        points, mlc.GLOBAL_BATCH_SIZE, log.name, facts, minimum=1, maximum=MAX_BATCH_SIZE
    )
    facts.train_samples = _integer(points, mlc.TRAIN_SAMPLES, log.name, facts, minimum=1, maximum=MAX_SAMPLES)
    logged = {k: v for k, v in points.items() if is_hyperparameter(k, target.reference_keys)}
    facts.logged_hyperparameters, facts.lines, conflicts = catalogue_names(
        logged, target.mlperf_names, name=log.name, lines=facts.lines
    )
    facts.sink.extend(conflicts)
    facts.report.hyperparameters = {**file_hyperparameters, **facts.logged_hyperparameters}
    start = _interval_edge(log, mlc.RUN_START, facts)
    stop = _interval_edge(log, mlc.RUN_STOP, facts)
    _timing(start, stop, log.name, facts)
    _status(stop, log.name, facts)
    count_epochs(log, facts.report, facts.train_samples, facts.sink)
    curve(log, (start, stop), target, facts.report, (facts.sink, curve_points))
    _flops(target, facts)
    return facts


def _shortened(value: Any) -> Any:
    """A value to keep past the log: a huge one (never a benchmark's name) as the start of its text."""
    if value is None or isinstance(value, bool | int | float) or len(text := repr(value)) <= _KEPT_CHARS:
        return value
    return text[:_KEPT_CHARS] + "..."


def _points(log: LogSummary, facts: RunFacts, reference_keys: frozenset[str]) -> dict[str, Any]:
    """First value of every point-in-time key that should hold one value for the whole run."""

    def wanted(key: str) -> bool:
        return key in SINGLE_KEYS or is_hyperparameter(key, reference_keys)

    for key, finding in log.conflicts:
        if wanted(key):
            facts.sink.add(finding)
    if log.conflicts_omitted:
        facts.sink.omit("log.conflicting_value", "error", log.name, log.conflicts_omitted)
    return {key: value for key, value in log.points.items() if wanted(key)}


def _missing(key: str, name: str, facts: RunFacts) -> None:
    facts.sink.add(missing_key(name, key))


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
        where, location = facts.at(key)
        facts.sink.add(
            error("log.bad_value", f"{where}: {key} is {shown(value)}; it must be {wanted}", location)
        )
        return None
    return value


def _interval_edge(log: LogSummary, key: str, facts: RunFacts) -> Event | None:
    edge = log.run_start if key == mlc.RUN_START else log.run_stop
    if edge.first is None:
        _missing(key, log.name, facts)
        return None
    for line in edge.again:
        facts.sink.add(
            error(
                "log.duplicate_event",
                f"{log.name} line {line}: a second {key}; one log holds exactly one run",
                f"{log.name}:{line}",
            )
        )
    if edge.count > len(edge.again):
        facts.sink.omit("log.duplicate_event", "error", log.name, edge.count - len(edge.again))
    return edge.first


def _timing(start: Event | None, stop: Event | None, name: str, facts: RunFacts) -> None:
    if start is not None:
        facts.report.run_start_ms = round(start.time_ms)
    if stop is not None:
        facts.report.run_stop_ms = round(stop.time_ms)
    if start is None or stop is None:
        return
    if stop.time_ms <= start.time_ms:
        facts.sink.add(
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
    facts.sink.add(
        error(
            "log.bad_value",
            f"{name} line {stop.line}: run_stop metadata.status is {shown(status)}; "
            "use 'success' or 'aborted'",
            f"{name}:{stop.line}",
        )
    )


def _flops(target: Target, facts: RunFacts) -> None:
    facts.report.per_sample_flops = target.per_sample_flops
    if target.per_sample_flops is not None:
        facts.report.total_flops = target.per_sample_flops * facts.report.samples_processed
