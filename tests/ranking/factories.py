"""Published submissions with runs, made directly (no bundle, no validator).

`make_submission` writes a submission as validation would leave it (awaiting review, with
its runs and its history); `publish` moves it on through the real state machine, so the
ranking app hears the same signal it hears in production. Wrap `publish` in
`django_capture_on_commit_callbacks(execute=True)` for the after-commit signal to fire inside
a test transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User

from catalogue.models import Benchmark, Level
from submissions.models import Organization, Run, StatusEvent, Submission
from submissions.services import submission_transition
from submissions.states import Status


@dataclass
class RunSpec:
    quality: float | None
    time_s: float = 3600.0
    samples: int = 1281167 * 90
    converged: bool = True
    ttq_s: float | None = None
    curve: list[dict[str, float]] = field(default_factory=list)


def benchmark(suite: str, slug: str) -> Benchmark:
    return Benchmark.objects.select_related("suite").get(suite__slug=suite, slug=slug)


def level(slug: str) -> Level:
    return Level.objects.get(slug=slug)


def make_submission(
    *,
    owner: User,
    bench: Benchmark,
    lvl: Level,
    runs: Sequence[RunSpec],
    organization: Organization | None = None,
    system_name: str = "Test cluster",
    accelerator: str = "NVIDIA A100-SXM4-80GB",
    accelerators_per_node: int = 8,
    nodes: int = 1,
    framework: str = "PyTorch 2.4",
    availability: str = "available",
    profile: str = "full",
    provenance: str = "submitter_reported",
    per_sample_training_flops: float | None = None,
) -> Submission:
    sid = uuid.uuid4()
    submission = Submission.objects.create(
        id=sid,
        owner=owner,
        organization=organization,
        status=Status.AWAITING_REVIEW,
        provenance=provenance,
        bundle=f"bundles/{sid}/bundle.tar.gz",
        bundle_name="bundle.tar.gz",
        bundle_size=1024,
        bundle_sha256=hashlib.sha256(sid.bytes).hexdigest(),
        suite=bench.suite,
        benchmark=bench,
        level=lvl,
        availability=availability,
        profile=profile,
        organization_name=organization.name if organization else "Independent",
        system_name=system_name,
        system_description={
            "system_name": system_name,
            "number_of_nodes": nodes,
            "accelerators_per_node": accelerators_per_node,
            "accelerator_model_name": accelerator,
            "framework": framework,
        },
        per_sample_training_flops=per_sample_training_flops,
        catalogue_version=bench.catalogue_version,
    )
    StatusEvent.objects.create(
        submission=submission, to_status=Status.RECEIVED, actor=owner, reason="Received."
    )
    StatusEvent.objects.create(
        submission=submission,
        from_status=Status.RECEIVED,
        to_status=Status.VALIDATING,
        reason="Validation started.",
    )
    StatusEvent.objects.create(
        submission=submission,
        from_status=Status.VALIDATING,
        to_status=Status.AWAITING_REVIEW,
        reason="Validation passed.",
    )
    Run.objects.bulk_create(_run(submission, i, spec) for i, spec in enumerate(runs, 1))
    return submission


def _run(submission: Submission, index: int, spec: RunSpec) -> Run:
    fields: dict[str, Any] = {
        "submission": submission,
        "index": index,
        "log_name": f"logs/run{index}.log",
        "seed": 1000 + index,
        "status": "success" if spec.converged else "aborted",
        "converged": spec.converged,
        "time_to_train_s": spec.time_s,
        "time_to_quality_s": (spec.ttq_s if spec.ttq_s is not None else spec.time_s)
        if spec.converged
        else None,
        "achieved_quality": spec.quality,
        "samples_processed": spec.samples,
        "curve": spec.curve,
    }
    return Run(**fields)


def publish(submission: Submission, *, reviewer: User | None = None) -> Submission:
    return submission_transition(
        submission=submission, to=Status.PUBLISHED, actor=reviewer, reason="Reviewed and published."
    )


def withdraw(submission: Submission, *, actor: User | None = None) -> Submission:
    return submission_transition(submission=submission, to=Status.WITHDRAWN, actor=actor, reason="Withdrawn.")
