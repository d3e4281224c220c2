"""Reproductions: re-run a submission's configuration on our runners and compare the figures.

Reviewers call these through runners.services (job_create_reproduction,
job_compare_with_submission).
"""

from __future__ import annotations

from statistics import mean
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from catalogue import get_catalogue
from submissions.models import Submission

from .job_request import check_job_request
from .level_rules import HYPERPARAMETERS
from .models import Job
from .states import JobStatus


class ReproductionError(ValueError):
    """The submission cannot be reproduced (with the reason, for the reviewer)."""


def job_limits() -> dict[str, Any]:
    """The level check's limits, from settings."""
    return {
        "full_profile": settings.RUNNER_FULL_PROFILE,
        "default_time_limit_s": settings.RUNNER_DEFAULT_TIME_LIMIT_S,
        "max_time_limit_s": settings.RUNNER_MAX_TIME_LIMIT_S,
        "model_code_max_bytes": settings.RUNNER_MODEL_CODE_MAX_BYTES,
    }


def job_create_reproduction(*, submission: Submission, requested_by: User) -> Job:
    """Queue a job with the configuration behind `submission`, owned by the requester.

    A runner-verified submission repeats its job's configuration; an uploaded bundle is
    repeated from its manifest and hyper-parameters at the same level. Without full data
    sets on the runners the reproduction runs the smoke profile.
    """
    from .services import job_create

    raw = _configuration_of(submission)
    raw["profile"] = "full" if settings.RUNNER_FULL_PROFILE and raw.get("profile") == "full" else "smoke"
    spec, errors = check_job_request(raw, get_catalogue(), limits=job_limits())
    if spec is None:
        raise ReproductionError("The submission's configuration cannot be re-run: " + "; ".join(errors))
    return job_create(
        owner=requested_by,
        spec=spec,
        pool=settings.RUNNER_REPRODUCTION_POOL or None,
        reproduction_of=submission,
    )


def _configuration_of(submission: Submission) -> dict[str, Any]:
    job = submission.runner_jobs.filter(status=JobStatus.FINISHED).order_by("-created_at").first()
    if job is not None:
        raw = {key: value for key, value in job.config.items() if key != "organization"}
        raw["time_limit_s"] = job.time_limit_s
        if job.model_code:
            raw["model_code"], raw["model_code_name"] = job.model_code, job.model_code_name
        return raw
    manifest = submission.manifest or {}
    if not manifest or submission.level is None:
        raise ReproductionError("The submission has no validated manifest to take a configuration from.")
    if submission.level.model_may_change:
        raise ReproductionError(
            "An uploaded free-level bundle names a model the runners do not have; only runner-made "
            "free-level submissions (with their model code) can be reproduced."
        )
    return {
        "suite": manifest.get("suite"),
        "benchmark": manifest.get("benchmark"),
        "level": manifest.get("level"),
        "profile": submission.profile,
        "availability": manifest.get("availability"),
        "hyperparameters": _tuned_hyperparameters(submission),
    }


# MLPerf logs name mixed precision amp_fp16 / amp_bf16; the harness's fp16 and bf16 are the
# same thing (autocast, with a gradient scaler for fp16).
PRECISION_ALIASES = {"amp_fp16": "fp16", "amp_bf16": "bf16", "float32": "fp32"}


def _tuned_hyperparameters(submission: Submission) -> dict[str, Any]:
    """What the submission changed from the reference, as far as its level lets it."""
    level, benchmark = submission.level, submission.benchmark
    if level is None or benchmark is None or not level.hyperparameters_may_change:
        return {}
    stated: dict[str, Any] = {}
    first_run = submission.runs.order_by("index").first()
    if first_run is not None:
        stated.update(first_run.hyperparameters or {})
    stated.update(submission.hyperparameters or {})
    if "precision" in stated:
        stated["precision"] = PRECISION_ALIASES.get(stated["precision"], stated["precision"])
    tunable = set(level.tunable_hyperparameters)
    return {
        key: value
        for key, value in stated.items()
        if key in HYPERPARAMETERS
        and ("*" in tunable or key in tunable)
        and value != benchmark.reference_hyperparameters.get(key)
    }


# --- Comparison ------------------------------------------------------------------------


def _figures(submission: Submission) -> dict[str, float | None]:
    runs = list(submission.runs.all())

    def avg(name: str) -> float | None:
        values = [getattr(run, name) for run in runs if getattr(run, name) is not None]
        return mean(values) if values else None

    return {
        "achieved_quality": avg("achieved_quality"),
        "time_to_train_s": avg("time_to_train_s"),
        "per_sample_flops": submission.per_sample_training_flops or avg("per_sample_flops"),
    }


def _compare(
    original: float | None, reproduced: float | None, tolerance: float, relative: bool
) -> dict[str, Any]:
    figure: dict[str, Any] = {
        "original": original,
        "reproduction": reproduced,
        "tolerance": tolerance,
        "kind": "relative" if relative else "absolute",
        "difference": None,
        "within": None,
    }
    if original is None or reproduced is None:
        return figure
    difference = abs(reproduced - original)
    if relative:
        difference = difference / abs(original) if original else (0.0 if reproduced == 0 else float("inf"))
    figure["difference"] = difference
    figure["within"] = difference <= tolerance
    return figure


def job_compare_with_submission(*, job: Job) -> dict[str, Any]:
    """Compare a finished reproduction's figures with the original submission's.

    Averages over runs: achieved quality (absolute tolerance), time to train and FLOPs per
    sample (relative tolerances), from settings.REPRODUCTION_TOLERANCE, compared only between
    the same profile: a smoke run says nothing about full-data figures, and its FLOPs per sample
    are its own smaller input's (`comparable` is then False). `within_tolerance` is None while
    nothing could be compared.
    """
    original, reproduction = job.reproduction_of, job.submission
    result: dict[str, Any] = {
        "job": str(job.pk),
        "original": str(original.pk) if original else None,
        "reproduction": str(reproduction.pk) if reproduction else None,
        "tolerance": dict(settings.REPRODUCTION_TOLERANCE),
        "figures": {},
        "notes": [],
        "within_tolerance": None,
    }
    if original is None:
        result["notes"].append("The job is not a reproduction of a submission.")
        return result
    if reproduction is None or reproduction.validated_at is None:
        result["notes"].append(f"The reproduction has no validated bundle yet (job {job.status}).")
        return result
    tolerance = settings.REPRODUCTION_TOLERANCE
    mine, theirs = _figures(reproduction), _figures(original)
    figures: dict[str, Any] = {}
    if original.profile == reproduction.profile:
        figures["per_sample_flops"] = _compare(
            theirs["per_sample_flops"], mine["per_sample_flops"], tolerance["per_sample_flops"], True
        )
        figures["achieved_quality"] = _compare(
            theirs["achieved_quality"], mine["achieved_quality"], tolerance["quality"], False
        )
        figures["time_to_train_s"] = _compare(
            theirs["time_to_train_s"], mine["time_to_train_s"], tolerance["time"], True
        )
    else:
        result["comparable"] = False
        result["notes"].append(
            f"The original ran the {original.profile} profile and the reproduction the "
            f"{reproduction.profile} profile: no figure is compared (each profile's FLOPs per sample "
            "are its own input's)."
        )
    result["figures"] = figures
    verdicts = [figure["within"] for figure in figures.values() if figure["within"] is not None]
    result["within_tolerance"] = all(verdicts) if verdicts else None
    return result
