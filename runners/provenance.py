"""Whether a runner's bundle is the output of the job it is uploaded for.

A submission is runner-verified only when its bundle was produced by a job the service
queued, uploaded with that job's current secret by a host of the job's pool, and the bundle
says it ran exactly what the job asked for. Every difference is one specific reason; any
reason refuses the upload and fails the job.
"""

from __future__ import annotations

import hashlib
from typing import Any

from catalogue import get_catalogue
from catalogue.scaling import processes, system_processes
from submissions.bundles import BundleReport

from .level_rules import expected_model, resolve_hyperparameters, run_seeds, scaled_hyperparameters
from .models import Job

MODEL_CODE_DIGEST = "model_code_sha256"  # the manifest key the harness writes for model code


def model_code_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def job_bundle_mismatches(*, job: Job, report: BundleReport) -> list[str]:
    """Every way the validated bundle differs from what the job asked for; [] when it matches."""
    if report.manifest is None:
        return ["the bundle has no readable manifest.json"]
    benchmark = get_catalogue().benchmark(job.suite.slug, job.benchmark.slug)
    if benchmark is None:
        return [f"the job's benchmark {job.suite.slug}/{job.benchmark.slug} is not in the catalogue"]
    config = job.config
    problems = _differences(
        ("suite", job.suite.slug, report.suite),
        ("benchmark", job.benchmark.slug, report.benchmark),
        ("level", job.level.slug, report.level),
        ("profile", job.profile, report.profile),
        ("organization", config.get("organization"), report.manifest.get("organization")),
        ("availability", config.get("availability"), report.manifest.get("availability")),
    )
    seeds = run_seeds(config, benchmark)
    found_seeds = [run.seed for run in report.runs]
    if len(found_seeds) != len(seeds):
        problems.append(f"the bundle holds {len(found_seeds)} run(s); the job asked for {len(seeds)}")
    elif sorted(s for s in found_seeds if s is not None) != sorted(seeds) or None in found_seeds:
        problems.append(f"the runs' seeds are {found_seeds}; the job's are {seeds}")
    problems += _hyperparameter_differences(report, config, benchmark, job)
    problems += _model_differences(job, report.manifest, config, benchmark)
    return problems


def _differences(*checks: tuple[str, Any, Any]) -> list[str]:
    return [
        f"{name} is {found!r}; the job's is {wanted!r}" for name, wanted, found in checks if found != wanted
    ]


def _hyperparameter_differences(
    report: BundleReport, config: dict[str, Any], benchmark: Any, job: Job
) -> list[str]:
    overrides = dict(config.get("hyperparameters") or {})
    try:
        wanted = resolve_hyperparameters(benchmark, overrides)
    except ValueError as exc:
        return [f"the job's hyper-parameters cannot be resolved: {exc}"]
    level = get_catalogue().levels[job.level.slug]
    wanted = scaled_hyperparameters(wanted, benchmark, level, _job_processes(config, report), overrides)
    found = report.hyperparameters or {}
    return [
        f"hyper-parameter {key} is {found.get(key)!r}; the job's is {wanted.get(key)!r}"
        for key in sorted(set(wanted) | set(found))
        if found.get(key) != wanted.get(key)
    ]


def _job_processes(config: dict[str, Any], report: BundleReport) -> int:
    """The processes the job trained with: its scale, or, where the pool's was not known when it
    was queued, the host's accelerators as the harness described them."""
    if config.get("accelerators_per_node") is None:
        return system_processes(report.system)
    return processes(config.get("nodes") or 1, config["accelerators_per_node"])


def _model_differences(
    job: Job, manifest: dict[str, Any], config: dict[str, Any], benchmark: Any
) -> list[str]:
    if job.model_code:
        digest = model_code_digest(job.model_code)
        found = manifest.get(MODEL_CODE_DIGEST)
        if found != digest:
            return [f"the bundle's model code digest is {found!r}; the job's model code is {digest}"]
        return []
    if manifest.get(MODEL_CODE_DIGEST):
        return ["the bundle ran model code; the job names no model code"]
    wanted = expected_model(config, benchmark)
    found = manifest.get("model")
    return [] if wanted is None or found == wanted else [f"model is {found!r}; the job's is {wanted!r}"]
