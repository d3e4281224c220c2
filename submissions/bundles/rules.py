"""The level rules: what the catalogue allows a result at a given level to change."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from catalogue import Benchmark, Catalogue, Level, Suite, flops_are_the_submissions

from .report import Finding, error, info, shown, warning
from .runs import RunFacts
from .spelling import did_you_mean, misspelt_as

FULL = "full"


@dataclass(frozen=True)
class Resolved:
    """The catalogue entries the manifest names; None where it names something unknown."""

    suite: Suite | None = None
    benchmark: Benchmark | None = None
    level: Level | None = None


def resolve(manifest: dict[str, Any], catalogue: Catalogue) -> tuple[Resolved, list[Finding]]:
    findings = []
    suite = catalogue.suites.get(manifest["suite"])
    benchmark = catalogue.benchmark(manifest["suite"], manifest["benchmark"])
    level = catalogue.levels.get(manifest["level"])
    if suite is None:
        findings.append(_unknown("suite", manifest["suite"], sorted(catalogue.suites)))
    elif benchmark is None:
        findings.append(_unknown("benchmark", manifest["benchmark"], sorted(suite.benchmarks), suite.slug))
    if suite is not None and manifest["level"] not in suite.levels:
        findings.append(_unknown("level", manifest["level"], list(suite.levels), suite.slug))
        level = None
    elif level is None:
        findings.append(_unknown("level", manifest["level"], sorted(catalogue.levels)))
    if manifest["availability"] not in catalogue.availability:
        findings.append(_unknown("availability", manifest["availability"], sorted(catalogue.availability)))
    return Resolved(suite, benchmark, level), findings


def _unknown(what: str, value: str, known: list[str], suite: str | None = None) -> Finding:
    scope = f" (suite {suite!r})" if suite else ""
    return error(
        f"rules.unknown_{what}",
        f"manifest.json: {what} {shown(value)} is not in the catalogue{scope}; known: {', '.join(known)}"
        f"{did_you_mean(value, known)}",
        f"manifest.json:$.{what}",
    )


def per_sample_flops(manifest: dict[str, Any], resolved: Resolved) -> tuple[float | None, list[Finding]]:
    """The catalogue's constant, unless the model or the input differ: then the manifest's.

    The constant counts the catalogue's model at the data set's input size, so a level that lets
    the model change and a smoke result (a smaller input) are scored with their own count.
    """
    if resolved.benchmark is None or resolved.level is None:
        return None, []
    given = manifest.get("per_sample_training_flops")
    where = "manifest.json:$.per_sample_training_flops"
    profile = str(manifest.get("profile") or FULL)
    if flops_are_the_submissions(model_may_change=resolved.level.model_may_change, profile=profile):
        if given is not None:
            return float(given), []
        if resolved.level.model_may_change:
            message = (
                f"manifest.json: the {resolved.level.slug} level lets the model change, so "
                "per_sample_training_flops (forward + backward FLOPs per sample) is required"
            )
            return None, [error("rules.missing_flops", message, where)]
        message = (
            f"manifest.json: the {profile} profile's input is not the data set's, so the catalogue's "
            "per-sample FLOPs do not apply and none are given; the result has no FLOPs figure"
        )
        return None, [warning("rules.smoke_flops_missing", message, where)]
    if given is None:
        return resolved.benchmark.per_sample_training_flops, []
    message = (
        f"manifest.json: per_sample_training_flops is ignored at the {resolved.level.slug} level; "
        f"the catalogue's {resolved.benchmark.per_sample_training_flops:.4g} is used"
    )
    return resolved.benchmark.per_sample_training_flops, [info("rules.flops_ignored", message, where)]


def check_runs(
    runs: list[RunFacts],
    profile: str,
    resolved: Resolved,
    file_hyperparameters: dict[str, Any],
    accelerators: int = 1,
) -> list[Finding]:
    """`accelerators`: the system's (catalogue/scaling.py), for the level's batch scaling."""
    findings = _seeds(runs)
    benchmark, level = resolved.benchmark, resolved.level
    if benchmark is None:
        return findings
    findings += _run_count(runs, benchmark)
    if profile != FULL:
        findings.append(
            info("rules.smoke_profile", "smoke profile: the data set size is not checked", "manifest.json")
        )
    for run in runs:
        findings += _benchmark_name(run, benchmark)
        findings += _data_set(run, benchmark) if profile == FULL else []
        findings += _epochs(run, benchmark)
        findings += _convergence(run, benchmark)
        findings += _agreement(run, file_hyperparameters)
        findings += _hyperparameters(run, benchmark, level, accelerators) if level is not None else []
    return findings


def _seeds(runs: list[RunFacts]) -> list[Finding]:
    by_seed: dict[int, list[str]] = defaultdict(list)
    for run in runs:
        if run.report.seed is not None:
            by_seed[run.report.seed].append(run.report.log_name)
    return [
        error(
            "rules.duplicate_seed",
            f"seed {seed} is used by {', '.join(names)}; every run needs its own seed",
            names[1],
        )
        for seed, names in sorted(by_seed.items())
        if len(names) > 1
    ]


def _run_count(runs: list[RunFacts], benchmark: Benchmark) -> list[Finding]:
    if len(runs) >= benchmark.required_runs:
        return []
    message = (
        f"{benchmark.key} needs at least {benchmark.required_runs} runs (logs/*.log); "
        f"the bundle has {len(runs)}"
    )
    return [error("rules.too_few_runs", message, "logs/")]


def _benchmark_name(run: RunFacts, benchmark: Benchmark) -> list[Finding]:
    expected = benchmark.mllog_benchmark
    rule = f"{benchmark.key} logs {expected!r}"
    return _fixed(
        run, "submission_benchmark", run.mllog_benchmark, expected, "rules.benchmark_mismatch", rule
    )


def _data_set(run: RunFacts, benchmark: Benchmark) -> list[Finding]:
    rule = (
        f"{benchmark.dataset} has {benchmark.train_samples} training samples "
        "(use profile 'smoke' for a reduced data set)"
    )
    return _fixed(
        run, "train_samples", run.train_samples, benchmark.train_samples, "rules.train_samples", rule
    )


def _fixed(run: RunFacts, key: str, logged: Any, expected: Any, code: str, rule: str) -> list[Finding]:
    """A value the catalogue fixes for the benchmark: an error where the log states another."""
    if logged is None or logged == expected:
        return []
    where, location = run.at(key)
    return [error(code, f"{where}: {key} is {shown(logged)}; {rule}", location)]


def _epochs(run: RunFacts, benchmark: Benchmark) -> list[Finding]:
    if benchmark.epochs is None or run.report.epochs_completed <= benchmark.epochs:
        return []
    message = (
        f"{run.report.log_name}: {run.report.epochs_completed} epochs; "
        f"{benchmark.key} allows at most {benchmark.epochs}"
    )
    return [error("rules.too_many_epochs", message, run.report.log_name)]


def _convergence(run: RunFacts, benchmark: Benchmark) -> list[Finding]:
    report = run.report
    if report.converged:
        return []
    why = "it was aborted" if report.status != "success" else f"it never reached {benchmark.target_quality}"
    logged = (
        "no quality was logged"
        if report.achieved_quality is None
        else f"last logged quality {report.achieved_quality}"
    )
    message = (
        f"{report.log_name}: the run is not converged ({why}; {logged}); "
        "it is kept and scored as not converged"
    )
    return [warning("rules.not_converged", message, report.log_name)]


def same_value(a: Any, b: Any) -> bool:
    """Equal as hyper-parameters: 0.1 == 0.1000000001, 256 == 256.0, but True != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _agreement(run: RunFacts, file_hyperparameters: dict[str, Any]) -> list[Finding]:
    findings = []
    for key, value in sorted(run.logged_hyperparameters.items()):
        if key in file_hyperparameters and not same_value(value, file_hyperparameters[key]):
            where, location = run.at(key)
            message = (
                f"{where}: {key} is {shown(value)} in the log but "
                f"{shown(file_hyperparameters[key])} in hyperparameters.json"
            )
            findings.append(error("rules.hyperparameters_disagree", message, location))
    return findings


def _hyperparameters(run: RunFacts, benchmark: Benchmark, level: Level, accelerators: int) -> list[Finding]:
    findings = []
    stated = run.report.hyperparameters
    for key, reference in sorted(benchmark.reference_for(level, accelerators).items()):
        if level.may_tune(key):
            continue
        name = run.report.log_name
        if key not in stated:
            if not level.hyperparameters_may_change:
                unknown = set(stated) - set(benchmark.reference_hyperparameters)
                message = (
                    f"{name}: {key} is not stated; the {level.slug} level requires {shown(reference)}"
                    f"{misspelt_as(key, unknown)}"
                )
                findings.append(error("rules.hyperparameter_missing", message, name))
            continue
        if not same_value(stated[key], reference):
            where, location = _stated_at(run, key)
            fixed = f"the {level.slug} level fixes it at {shown(reference)}"
            message = f"{where}: {key} is {shown(stated[key])}; {fixed}"
            findings.append(error("rules.hyperparameter_differs", message, location))
    return findings


def _stated_at(run: RunFacts, key: str) -> tuple[str, str]:
    """Where a stated value comes from: its line in the log, else hyperparameters.json."""
    if key in run.logged_hyperparameters:
        return run.at(key)
    return f"{run.report.log_name} (hyperparameters.json)", f"hyperparameters.json:$.{key}"
