"""The benchmark catalogue, read from ``catalogue.toml`` beside this file.

This module is pure Python (no Django, no database) so that the bundle validator can
use the very same catalogue on the server and in a submitter's CI (``benchcouncil check``).
The database copy (``ranking.models``) is synchronised from it by ``ranking.services``.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .scaling import BATCH_SCALINGS, FIXED, scaled_reference

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")

VALID_FLOPS = "valid_flops"
TIME_TO_QUALITY = "time_to_quality"
RANKING_METRICS = (VALID_FLOPS, TIME_TO_QUALITY)
AGGREGATIONS = ("olympic_mean", "mean", "median")
# What a run log without a seed gets at a level: distinct seeds are how runs show they are
# independent, and MLPerf's rules require them, but some submitters' logs never state one.
SEED_RULES = ("error", "warning")
# Where a published entry ranked on fewer runs than required stands (docs/importing.md):
# in one order with every other result, or after all those that meet the run requirement.
REPORTED_RESULTS = ("with_others", "after_others")


class CatalogueError(ValueError):
    """The catalogue file is inconsistent; raised at load, never at request time."""


@dataclass(frozen=True)
class Level:
    slug: str
    name: str
    order: int
    changeable_layers: tuple[int, ...]
    hyperparameters_may_change: bool
    model_may_change: bool
    tunable_hyperparameters: tuple[str, ...]
    description: str
    missing_seed: str = "error"
    # How the fixed reference global batch size scales with accelerators (scaling.py).
    batch_scaling: str = "fixed"

    def may_tune(self, key: str) -> bool:
        return "*" in self.tunable_hyperparameters or key in self.tunable_hyperparameters


@dataclass(frozen=True)
class Benchmark:
    suite: str
    slug: str
    name: str
    model: str
    dataset: str
    train_samples: int
    eval_samples: int
    input_shape: str
    quality_metric: str
    quality_metric_label: str
    higher_is_better: bool
    target_quality: float
    per_sample_training_flops: float
    required_runs: int
    aggregation: str
    ranking_metric: str
    quality_cap: bool
    mllog_benchmark: str
    reference_hyperparameters: dict[str, Any] = field(hash=False)
    vflops_exponent: float | None = None
    epochs: int | None = None
    reported_results: str = "with_others"
    # The accelerators the reference global_batch_size is meant for (scaling.py).
    reference_accelerators: int = 1

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.slug}"

    def reference_for(self, level: Level, accelerators: int) -> dict[str, Any]:
        """The reference hyper-parameters on `accelerators`, under the level's batch scaling."""
        return scaled_reference(
            self.reference_hyperparameters, level.batch_scaling, self.reference_accelerators, accelerators
        )


@dataclass(frozen=True)
class Suite:
    slug: str
    name: str
    version: str
    order: int
    description: str
    levels: tuple[str, ...]
    benchmarks: dict[str, Benchmark] = field(hash=False)


@dataclass(frozen=True)
class Catalogue:
    version: str
    sha256: str
    availability: dict[str, str]
    levels: dict[str, Level]
    suites: dict[str, Suite]
    # MLPerf's hyper-parameter name -> the catalogue's (``[mlperf.hyperparameter_names]``).
    mlperf_hyperparameter_names: dict[str, str] = field(default_factory=dict)

    def benchmark(self, suite: str, slug: str) -> Benchmark | None:
        found = self.suites.get(suite)
        return found.benchmarks.get(slug) if found else None

    def all_benchmarks(self) -> list[Benchmark]:
        return [b for s in self.suites.values() for b in s.benchmarks.values()]


def _level(slug: str, raw: dict[str, Any]) -> Level:
    missing_seed = raw.get("missing_seed", "error")
    if missing_seed not in SEED_RULES:
        raise CatalogueError(f"level {slug}: missing_seed must be one of {SEED_RULES}")
    return Level(
        slug=slug,
        name=raw["name"],
        order=int(raw["order"]),
        changeable_layers=tuple(raw["changeable_layers"]),
        hyperparameters_may_change=bool(raw["hyperparameters_may_change"]),
        model_may_change=bool(raw["model_may_change"]),
        tunable_hyperparameters=tuple(raw["tunable_hyperparameters"]),
        description=raw["description"],
        missing_seed=missing_seed,
        batch_scaling=_batch_scaling(slug, raw.get("batch_scaling", FIXED)),
    )


def _batch_scaling(slug: str, value: str) -> str:
    if value not in BATCH_SCALINGS:
        raise CatalogueError(
            f"level {slug}: batch_scaling must be one of {list(BATCH_SCALINGS)}, not {value!r}"
        )
    return value


def _benchmark(suite: str, slug: str, raw: dict[str, Any]) -> Benchmark:
    fields = dict(raw)
    benchmark = Benchmark(suite=suite, slug=slug, **fields)
    if benchmark.ranking_metric not in RANKING_METRICS:
        raise CatalogueError(f"{benchmark.key}: unknown ranking_metric {benchmark.ranking_metric!r}")
    if benchmark.aggregation not in AGGREGATIONS:
        raise CatalogueError(f"{benchmark.key}: unknown aggregation {benchmark.aggregation!r}")
    if benchmark.ranking_metric == VALID_FLOPS and benchmark.vflops_exponent is None:
        raise CatalogueError(f"{benchmark.key}: a Valid FLOPS benchmark needs vflops_exponent")
    if benchmark.reported_results not in REPORTED_RESULTS:
        raise CatalogueError(f"{benchmark.key}: reported_results must be one of {REPORTED_RESULTS}")
    if benchmark.required_runs < 1:
        raise CatalogueError(f"{benchmark.key}: required_runs must be at least 1")
    batch = benchmark.reference_hyperparameters.get("global_batch_size")
    if benchmark.reference_accelerators < 1 or (
        isinstance(batch, int) and batch % benchmark.reference_accelerators
    ):
        raise CatalogueError(
            f"{benchmark.key}: reference_accelerators must be at least 1 and divide global_batch_size"
        )
    return benchmark


def parse_catalogue(data: bytes) -> Catalogue:
    raw = tomllib.loads(data.decode("utf-8"))
    levels = {slug: _level(slug, body) for slug, body in raw["levels"].items()}
    suites: dict[str, Suite] = {}
    for slug, body in raw["suites"].items():
        unknown = set(body["levels"]) - set(levels)
        if unknown:
            raise CatalogueError(f"suite {slug}: unknown levels {sorted(unknown)}")
        benchmarks = {
            b_slug: _benchmark(slug, b_slug, b_body) for b_slug, b_body in body["benchmarks"].items()
        }
        suites[slug] = Suite(
            slug=slug,
            name=body["name"],
            version=body["version"],
            order=int(body["order"]),
            description=body["description"],
            levels=tuple(body["levels"]),
            benchmarks=benchmarks,
        )
    return Catalogue(
        version=raw["version"],
        sha256=hashlib.sha256(data).hexdigest(),
        availability=dict(raw["availability"]),
        levels=levels,
        suites=suites,
        mlperf_hyperparameter_names=_mlperf_names(raw.get("mlperf", {}).get("hyperparameter_names", {})),
    )


def _mlperf_names(raw: dict[str, Any]) -> dict[str, str]:
    if not all(isinstance(v, str) and v for v in raw.values()):
        raise CatalogueError("mlperf.hyperparameter_names maps each MLPerf name to a catalogue name")
    return dict(raw)


@cache
def get_catalogue() -> Catalogue:
    return parse_catalogue(CATALOGUE_PATH.read_bytes())


# Results of the runners' smoke profile are scored on boards of their own; "full" is the data set's.
FULL_PROFILE = "full"


def flops_are_the_submissions(*, model_may_change: bool, profile: str) -> bool:
    """Whether a result's per-sample FLOPs are its own count rather than the catalogue's constant.

    The constant is the catalogue's model at the data set's input size: a level that lets the
    model change, or a profile with a smaller input (smoke), brings the count of what it ran.
    """
    return model_may_change or profile != FULL_PROFILE
