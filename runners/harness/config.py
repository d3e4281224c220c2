"""Job configuration: what a runner host is asked to run, checked against the level's rules.

The level rules and value checks are runners.level_rules's, the same the web tier applies before it
queues a job; they are checked again here so that a configuration from anywhere (the CLI, a
stale queue) that would produce an invalid bundle is refused before GPU time is spent on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from catalogue import Benchmark, Catalogue
from runners.level_rules import check_job, positive_int, run_seeds

from .hyperparameters import resolve_hyperparameters

DEVICES = ("auto", "cpu", "cuda")
DATA_ROOT_ENV = "BENCHCOUNCIL_DATA_ROOT"
DEFAULT_TIME_LIMIT_S = 24 * 3600.0


@dataclass(frozen=True)
class JobConfig:
    suite: str
    benchmark: str
    level: str
    profile: str = "smoke"
    runs: int | None = None  # default: the catalogue's required_runs
    seeds: tuple[int, ...] | None = None  # default: derived from the job's base seed
    hyperparameters: dict[str, Any] = field(default_factory=dict, hash=False)
    model: str | None = None  # free level: a registered model name
    model_code: str | None = None  # free level: a file defining build_model(...)
    data_root: str | None = None  # full profile; default: $BENCHCOUNCIL_DATA_ROOT
    max_epochs: int | None = None  # smoke profile only
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    device: str = "auto"
    organization: str = "BenchCouncil"
    availability: str = "available"
    system_name: str | None = None
    base_seed: int = 1
    # The scale the job asked for: the launcher (Slurm) allocates it; a single host runs on
    # all its accelerators.
    nodes: int = 1
    accelerators_per_node: int | None = None

    def run_count(self, benchmark: Benchmark) -> int:
        if self.seeds is not None:
            return len(self.seeds)
        return self.runs if self.runs is not None else benchmark.required_runs

    def run_seeds(self, benchmark: Benchmark) -> list[int]:
        return run_seeds(self.to_dict(), benchmark)

    def resolved_data_root(self) -> Path | None:
        root = self.data_root or os.environ.get(DATA_ROOT_ENV)
        return Path(root) if root else None

    def to_dict(self) -> dict[str, Any]:
        raw = {f.name: getattr(self, f.name) for f in fields(self)}
        raw["seeds"] = list(self.seeds) if self.seeds is not None else None
        return raw


_FIELD_NAMES = {f.name for f in fields(JobConfig)}


def validate_config(raw: dict[str, Any], catalogue: Catalogue) -> tuple[JobConfig | None, list[str]]:
    """Check a raw job description; return the config, or None and every problem found."""
    errors = [f"unknown field {key!r}" for key in sorted(set(raw) - _FIELD_NAMES)]
    if errors:
        return None, errors
    benchmark, level, errors = check_job(raw, catalogue)
    if benchmark is None or level is None:
        return None, errors
    errors += _check_scalars(raw, benchmark)
    code = raw.get("model_code")
    if code and level.model_may_change and not (isinstance(code, str) and Path(code).is_file()):
        errors.append(f"model_code: {code!r} is not a readable file")
    if not errors:
        errors += _check_combined(benchmark, raw.get("hyperparameters") or {})
    if errors:
        return None, errors
    values = dict(raw)
    if values.get("seeds") is not None:
        values["seeds"] = tuple(values["seeds"])
    values["hyperparameters"] = dict(values.get("hyperparameters") or {})
    return JobConfig(**values), []


def _check_scalars(raw: dict[str, Any], benchmark: Benchmark) -> list[str]:
    """What only a runner's configuration holds; check_job has checked the rest."""
    profile = raw.get("profile", "smoke")
    errors = []
    if raw.get("device", "auto") not in DEVICES:
        errors.append(f"device must be one of {list(DEVICES)}, not {raw.get('device')!r}")
    errors += _check_runs(raw, benchmark, profile)
    limit = raw.get("time_limit_s", DEFAULT_TIME_LIMIT_S)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0:
        errors.append("time_limit_s must be a positive number of seconds")
    if profile == "full" and not (raw.get("data_root") or os.environ.get(DATA_ROOT_ENV)):
        errors.append(f"the full profile needs data_root or ${DATA_ROOT_ENV} on the host")
    for key in ("organization", "availability", "system_name", "data_root"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            errors.append(f"{key!r} must be a string")
    return errors


def _check_runs(raw: dict[str, Any], benchmark: Benchmark, profile: str) -> list[str]:
    seeds, runs = raw.get("seeds"), raw.get("runs")
    if seeds is not None:
        if not isinstance(seeds, list) or not seeds or not all(_int(s) for s in seeds):
            return ["seeds must be a non-empty list of integers"]
        if len(set(seeds)) != len(seeds):
            return ["seeds must differ between runs"]
        if runs is not None and runs != len(seeds):
            return [f"runs is {runs} but {len(seeds)} seeds are given"]
        runs = len(seeds)
    if runs is None:
        return []
    if not positive_int(runs):
        return ["runs must be a positive integer"]
    if profile == "full" and runs < benchmark.required_runs:
        return [f"{benchmark.key} needs at least {benchmark.required_runs} runs, not {runs}"]
    return []


def _check_combined(benchmark: Benchmark, overrides: dict[str, Any]) -> list[str]:
    # The catalogue's reference values with the overrides must still name every value a run needs.
    try:
        resolve_hyperparameters(benchmark, overrides)
    except ValueError as error:
        return [str(error)]
    return []


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
