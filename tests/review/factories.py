"""A small factory for review tests: a submission with its runs and history, made directly."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalogue.models import Benchmark, Level
from submissions.models import Organization, Run, StatusEvent, Submission
from submissions.states import Status

# The path a submission takes to reach each status, as the state machine allows it.
PATHS: dict[str, list[str]] = {
    Status.RECEIVED: [],
    Status.VALIDATING: [Status.VALIDATING],
    Status.INVALID: [Status.VALIDATING, Status.INVALID],
    Status.AWAITING_REVIEW: [Status.VALIDATING, Status.AWAITING_REVIEW],
}
for _after_review in (Status.PUBLISHED, Status.REJECTED, Status.CHANGES_REQUESTED, Status.WITHDRAWN):
    PATHS[_after_review] = [*PATHS[Status.AWAITING_REVIEW], _after_review]
PATHS[Status.SUPERSEDED] = [*PATHS[Status.PUBLISHED], Status.SUPERSEDED]

SYSTEM = {
    "system_name": "example-cluster",
    "number_of_nodes": 2,
    "accelerators_per_node": 8,
    "accelerator_model_name": "NVIDIA H100",
    "framework": "PyTorch 2.4",
    "operating_system": "Ubuntu 22.04",
    "other_software_stack": {"cuda": "12.4", "nccl": "2.21"},
}


def make_submission(
    owner: User,
    *,
    organization: Organization | None = None,
    status: str = Status.AWAITING_REVIEW,
    benchmark: str = "image-classification",
    suite: str = "hpc-ai500",
    level: str = "system",
    runs: int = 5,
    hyperparameters: dict[str, Any] | None = None,
    run_hyperparameters: dict[str, Any] | None = None,
    reason: str = "Validation passed.",
    public_reason: bool = True,
    name: str = "bundle.tar.gz",
) -> Submission:
    bench = Benchmark.objects.get(suite__slug=suite, slug=benchmark)
    submission = Submission.objects.create(
        owner=owner,
        organization=organization,
        status=status,
        bundle_name=name,
        bundle_size=1234,
        bundle_sha256=hashlib.sha256(name.encode()).hexdigest(),
        suite=bench.suite,
        benchmark=bench,
        level=Level.objects.get(slug=level),
        availability="available",
        organization_name=organization.name if organization else "",
        system_name=SYSTEM["system_name"],
        system_description=SYSTEM,
        manifest={
            "format_version": 1,
            "suite": suite,
            "benchmark": benchmark,
            "level": level,
            "organization": organization.name if organization else "",
            "availability": "available",
            "profile": "full",
        },
        hyperparameters=hyperparameters
        if hyperparameters is not None
        else dict(bench.reference_hyperparameters),
        per_sample_training_flops=bench.per_sample_training_flops,
    )
    # Real bytes in the real storage, so that downloads of the bundle work too.
    submission.bundle.save(name, ContentFile(b"bundle bytes of " + name.encode()), save=True)
    for i in range(1, runs + 1):
        Run.objects.create(
            submission=submission,
            index=i,
            log_name=f"logs/run_{i}.log",
            seed=1000 + i,
            status="success",
            converged=True,
            time_to_train_s=3600.0 + i,
            time_to_quality_s=3000.0 + i,
            achieved_quality=bench.target_quality + 0.001,
            samples_processed=bench.train_samples * 40,
            epochs_completed=40,
            per_sample_flops=bench.per_sample_training_flops,
            total_flops=bench.per_sample_training_flops * bench.train_samples * 40,
            global_batch_size=256,
            hyperparameters=run_hyperparameters or dict(bench.reference_hyperparameters),
            curve=[
                {"epoch": e, "time_s": 75.0 * e, "quality": bench.target_quality * e / 40}
                for e in range(1, 41, 13)
            ],
        )
    _history(submission, owner, status, reason, public_reason)
    return submission


def _history(submission: Submission, owner: User, status: str, reason: str, public: bool) -> None:
    StatusEvent.objects.create(
        submission=submission, to_status=Status.RECEIVED, actor=owner, reason="Received."
    )
    previous = Status.RECEIVED
    path = PATHS[status]
    for i, to in enumerate(path):
        last = i == len(path) - 1
        StatusEvent.objects.create(
            submission=submission,
            from_status=previous,
            to_status=to,
            actor=None,
            reason=reason if last else f"Moved to {to}.",
            public=public if last else True,
        )
        previous = to


def api_as(user: User) -> APIClient:
    """An API client that authenticates with the user's token, as a CI pipeline does."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
