"""factory_boy factories of the suite's rows: users, organizations, memberships, submissions, runs.

Submissions are made directly (no bundle parsed, no validator run), as validation leaves them:
with their runs and their history up to the status asked for. `publish` and `withdraw` move one
on through the real state machine, so that the ranking app hears the signal it hears in
production; wrap them in `django_capture_on_commit_callbacks(execute=True)` for the
after-commit signal to fire inside a test transaction.

Two shapes of submission, one factory:
- `make_submission(owner, ...)`: as a reviewer finds it, with its manifest, hyper-parameters,
  measured runs and real bundle bytes in storage;
- `submission_with_runs(owner=..., bench=..., lvl=..., runs=[RunSpec, ...])`: as a board ranks
  it, runs as the submitter reported them (no FLOPs measured, none claimed unless given).
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import factory
from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory, Password

from catalogue.models import Benchmark, Level
from submissions.models import Finding, Membership, Organization, Run, StatusEvent, Submission
from submissions.services import submission_transition
from submissions.states import Status

# The statuses a submission goes through to reach each status, as the state machine allows it.
PATHS: dict[str, list[str]] = {
    Status.RECEIVED: [],
    Status.VALIDATING: [Status.VALIDATING],
    Status.INVALID: [Status.VALIDATING, Status.INVALID],
    Status.AWAITING_REVIEW: [Status.VALIDATING, Status.AWAITING_REVIEW],
}
for _after_review in (Status.PUBLISHED, Status.REJECTED, Status.CHANGES_REQUESTED, Status.WITHDRAWN):
    PATHS[_after_review] = [*PATHS[Status.AWAITING_REVIEW], _after_review]
PATHS[Status.SUPERSEDED] = [*PATHS[Status.PUBLISHED], Status.SUPERSEDED]

# What the services write on the way, for the steps before the last one.
STEP_REASONS = {Status.VALIDATING: "Validation started.", Status.AWAITING_REVIEW: "Validation passed."}

SYSTEM = {
    "system_name": "example-cluster",
    "number_of_nodes": 2,
    "accelerators_per_node": 8,
    "accelerator_model_name": "NVIDIA H100",
    "framework": "PyTorch 2.4",
    "operating_system": "Ubuntu 22.04",
    "other_software_stack": {"cuda": "12.4", "nccl": "2.21"},
}

# HPC AI500 image classification: 2.43e10 FLOPs/sample, target 0.763, n = 5, 5 runs.
SAMPLES = 1281167 * 90


def benchmark(suite: str, slug: str) -> Benchmark:
    return Benchmark.objects.select_related("suite").get(suite__slug=suite, slug=slug)


def level(slug: str) -> Level:
    return Level.objects.get(slug=slug)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        staff = factory.Trait(is_staff=True)
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = Password("password")
    is_staff = False
    is_superuser = False


def reviewers_group() -> Group:
    """The Reviewers group with its permissions, as the data migration makes it."""
    group, created = Group.objects.get_or_create(name="Reviewers")
    if created:
        # A transactional test flushed the data migration's rows: give the group its permissions again.
        # The migration names the models' apps of its day; their content types moved since
        # (the catalogue's models, reproduction checks), so the codenames are looked up alone.
        migration = importlib.import_module(
            "submissions.migrations.0001_squashed_0004_run_log_digest_and_bundle_digest_index"
        )
        codenames = [codename for names in migration.PERMISSIONS.values() for codename in names]
        group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    return group


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)


def _manifest(submission: Any) -> dict[str, Any]:
    return {
        "format_version": 1,
        "suite": submission.benchmark.suite.slug,
        "benchmark": submission.benchmark.slug,
        "level": submission.level.slug,
        "organization": submission.organization.name if submission.organization else "",
        "availability": "available",
        "profile": "full",
    }


class RunFactory(DjangoModelFactory):
    """A converged run, measured as the harness measures it; `reported` leaves out what only a
    measurement gives (FLOPs, epochs, batch size, hyper-parameters)."""

    class Meta:
        model = Run

    class Params:
        bench = factory.SelfAttribute("submission.benchmark")
        reported = factory.Trait(
            epochs_completed=None,
            per_sample_flops=None,
            total_flops=None,
            global_batch_size=None,
            hyperparameters=factory.LazyFunction(dict),
            curve=factory.LazyFunction(list),
        )

    submission = factory.SubFactory("tests.support.factories.SubmissionFactory", runs=0)
    index = factory.Sequence(lambda n: n + 1)
    log_name = factory.LazyAttribute(lambda run: f"logs/run_{run.index}.log")
    seed = factory.LazyAttribute(lambda run: 1000 + run.index)
    status = "success"
    converged = True
    time_to_train_s = factory.LazyAttribute(lambda run: 3600.0 + run.index)
    time_to_quality_s = factory.LazyAttribute(lambda run: 3000.0 + run.index)
    achieved_quality = factory.LazyAttribute(lambda run: run.bench.target_quality + 0.001)
    samples_processed = factory.LazyAttribute(lambda run: run.bench.train_samples * 40)
    epochs_completed = 40
    per_sample_flops = factory.SelfAttribute("bench.per_sample_training_flops")
    total_flops = factory.LazyAttribute(lambda run: run.per_sample_flops * run.samples_processed)
    global_batch_size = 256
    hyperparameters = factory.LazyAttribute(lambda run: dict(run.bench.reference_hyperparameters))
    curve = factory.LazyAttribute(
        lambda run: [
            {"epoch": e, "time_s": 75.0 * e, "quality": run.bench.target_quality * e / 40}
            for e in range(1, 41, 13)
        ]
    )


class SubmissionFactory(DjangoModelFactory):
    """A submission at `status` (awaiting review unless told), its history and `runs` (a count
    of measured runs, or RunSpecs of reported ones); `history__reason` and `history__public`
    are the last step's. Its bundle's bytes are stored unless `bundle_bytes=False`."""

    class Meta:
        model = Submission
        skip_postgeneration_save = True

    id = factory.LazyFunction(uuid.uuid4)
    owner = factory.SubFactory(UserFactory)
    organization = None
    status = Status.AWAITING_REVIEW
    benchmark = factory.LazyFunction(lambda: benchmark("hpc-ai500", "image-classification"))
    suite = factory.SelfAttribute("benchmark.suite")
    level = factory.LazyFunction(lambda: level("system"))
    availability = "available"
    organization_name = factory.LazyAttribute(lambda s: s.organization.name if s.organization else "")
    system_name = SYSTEM["system_name"]
    system_description = factory.LazyFunction(lambda: copy.deepcopy(SYSTEM))
    bundle_name = "bundle.tar.gz"
    bundle_size = 1234
    bundle_sha256 = factory.LazyAttribute(lambda s: hashlib.sha256(s.bundle_name.encode()).hexdigest())
    manifest = factory.LazyAttribute(_manifest)
    hyperparameters = factory.LazyAttribute(lambda s: dict(s.benchmark.reference_hyperparameters))
    per_sample_training_flops = factory.SelfAttribute("benchmark.per_sample_training_flops")

    @factory.post_generation
    def bundle_bytes(obj: Submission, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        # Real bytes in the real storage, so that downloads of the bundle work too.
        if create and extracted is not False:
            content = ContentFile(b"bundle bytes of " + obj.bundle_name.encode())
            obj.bundle.save(obj.bundle_name, content, save=True)

    @factory.post_generation
    def runs(obj: Submission, create: bool, extracted: int | Sequence[RunSpec] | None, **kwargs: Any) -> None:
        if not create:
            return
        specs = (
            range(5) if extracted is None else range(extracted) if isinstance(extracted, int) else extracted
        )
        for index, spec in enumerate(specs, 1):
            fields = spec.fields() if isinstance(spec, RunSpec) else {}
            RunFactory(submission=obj, index=index, **fields, **kwargs)

    @factory.post_generation
    def history(obj: Submission, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            _history(
                obj, reason=kwargs.get("reason", "Validation passed."), public=kwargs.get("public", True)
            )


def _history(submission: Submission, *, reason: str, public: bool) -> None:
    StatusEvent.objects.create(
        submission=submission, to_status=Status.RECEIVED, actor=submission.owner, reason="Received."
    )
    previous = Status.RECEIVED
    path = PATHS[submission.status]
    for i, to in enumerate(path):
        last = i == len(path) - 1
        StatusEvent.objects.create(
            submission=submission,
            from_status=previous,
            to_status=to,
            actor=None,
            reason=reason if last else STEP_REASONS.get(to, f"Moved to {to}."),
            public=public if last else True,
        )
        previous = to


@dataclass
class RunSpec:
    """A run as the submitter's log reported it."""

    quality: float | None
    time_s: float = 3600.0
    samples: int = SAMPLES
    converged: bool = True
    ttq_s: float | None = None
    curve: list[dict[str, float]] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        ttq = (self.ttq_s if self.ttq_s is not None else self.time_s) if self.converged else None
        return {
            "reported": True,
            "status": "success" if self.converged else "aborted",
            "converged": self.converged,
            "time_to_train_s": self.time_s,
            "time_to_quality_s": ttq,
            "achieved_quality": self.quality,
            "samples_processed": self.samples,
            "curve": self.curve,
        }


def five_runs(quality: float = 0.763, time_s: float = 3600.0) -> list[RunSpec]:
    return [RunSpec(quality=quality, time_s=time_s, samples=SAMPLES) for _ in range(5)]


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
    """A submission as a reviewer finds it: manifest, hyper-parameters, measured runs, stored bytes."""
    overrides: dict[str, Any] = {"runs__hyperparameters": run_hyperparameters} if run_hyperparameters else {}
    if hyperparameters is not None:
        overrides["hyperparameters"] = hyperparameters
    return SubmissionFactory(
        owner=owner,
        organization=organization,
        status=status,
        benchmark=Benchmark.objects.get(suite__slug=suite, slug=benchmark),
        level=Level.objects.get(slug=level),
        bundle_name=name,
        runs=runs,
        history__reason=reason,
        history__public=public_reason,
        **overrides,
    )


def submission_with_runs(
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
    """A submission awaiting review as a board will rank it once published: no bundle bytes,
    no manifest, the per-sample FLOPs the submitter claimed (none unless given)."""
    sid = uuid.uuid4()
    return SubmissionFactory(
        id=sid,
        owner=owner,
        organization=organization,
        provenance=provenance,
        bundle=f"bundles/{sid}/bundle.tar.gz",
        bundle_size=1024,
        bundle_sha256=hashlib.sha256(sid.bytes).hexdigest(),
        bundle_bytes=False,
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
        manifest=None,
        hyperparameters=None,
        per_sample_training_flops=per_sample_training_flops,
        catalogue_version=bench.catalogue_version,
        runs=runs,
    )


def flood_findings(
    submission: Submission,
    count: int,
    *,
    severity: str,
    code: str,
    message: str,
    location: str = "",
    batch_size: int = 2000,
) -> None:
    """`count` findings of one kind, as a hostile bundle earns them; `{i}` in the message or the
    location numbers each one from 0."""
    Finding.objects.bulk_create(
        [
            Finding(
                submission=submission,
                severity=severity,
                code=code,
                message=message.format(i=i),
                location=location.format(i=i),
            )
            for i in range(count)
        ],
        batch_size=batch_size,
    )


def publish(submission: Submission, *, reviewer: User | None = None) -> Submission:
    return submission_transition(
        submission=submission, to=Status.PUBLISHED, actor=reviewer, reason="Reviewed and published."
    )


def withdraw(submission: Submission, *, actor: User | None = None) -> Submission:
    return submission_transition(submission=submission, to=Status.WITHDRAWN, actor=actor, reason="Withdrawn.")
