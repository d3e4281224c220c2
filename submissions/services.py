"""Writes for submissions: intake, state moves, and applying a validation report."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import IO
from uuid import UUID

from django.contrib.auth.models import User
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from benchcouncil.state_machine import start, transition
from benchcouncil.task_names import VALIDATE_SUBMISSION
from benchcouncil.tasks import enqueue
from catalogue.models import Benchmark, Level, Suite
from submissions.bundles import BundleReport
from submissions.bundles.report import Finding as ReportFinding

from .models import Finding, Organization, Provenance, Run, Submission
from .states import MACHINE, Status
from .uploads import bundle_validate, file_digest

logger = logging.getLogger(__name__)


def submission_create(
    *,
    owner: User,
    bundle: IO[bytes],
    bundle_name: str,
    organization: Organization | None = None,
    idempotency_key: str | None = None,
    supersedes: Submission | None = None,
) -> tuple[Submission, bool]:
    """Store a submitter's bundle untouched and queue its validation.

    Returns (submission, created). With an idempotency key already used by this owner, the
    earlier submission comes back and nothing new is stored: a CI retry never duplicates.
    A submitter's bundle is always submitter-reported, whatever it says about itself: only
    submissions.provenance makes a runner-verified one, from a job's checked upload.
    """
    return submission_store(
        owner=owner,
        bundle=bundle,
        bundle_name=bundle_name,
        organization=organization,
        idempotency_key=idempotency_key,
        supersedes=supersedes,
        provenance=Provenance.SUBMITTER_REPORTED,
        evidence="",
    )


def submission_store(
    *,
    owner: User,
    bundle: IO[bytes],
    bundle_name: str,
    organization: Organization | None,
    idempotency_key: str | None,
    supersedes: Submission | None,
    provenance: str,
    evidence: str,
) -> tuple[Submission, bool]:
    """submission_create with a given provenance; `evidence` says why, in the first event."""
    if idempotency_key:
        earlier = Submission.objects.filter(owner=owner, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier, False
    sha256, size = file_digest(bundle)
    submission = Submission(
        owner=owner,
        organization=organization,
        provenance=provenance,
        bundle_name=bundle_name[:255],
        bundle_size=size,
        bundle_sha256=sha256,
        idempotency_key=idempotency_key or None,
        supersedes=supersedes,
    )
    # Bytes go to storage before the row exists; a failure after this leaves an orphan
    # object, never a row without its bundle.
    submission.bundle.save(bundle_name, File(bundle), save=False)
    try:
        with transaction.atomic():
            submission.save()
            start(
                MACHINE,
                submission,
                actor=owner,
                reason=f"Bundle {bundle_name} received ({size} bytes, sha256 {sha256}).{evidence}",
            )
    except IntegrityError:
        # Two retries with the same key raced; the other one won.
        submission.bundle.delete(save=False)
        earlier = Submission.objects.filter(owner=owner, idempotency_key=idempotency_key).first()
        if earlier is None:
            raise
        return earlier, False
    transaction.on_commit(lambda: submission_enqueue_validation(submission_id=submission.pk))
    return submission, True


def submission_enqueue_validation(*, submission_id: UUID | str) -> None:
    try:
        enqueue(VALIDATE_SUBMISSION, str(submission_id))
    except (OperationalError, OSError):
        # Called after the commit: the bundle and its row are stored, so the upload succeeded
        # (a client retrying without an Idempotency-Key would store it twice). The
        # stuck-submission sweep (sweeps.py) queues it once the broker is back.
        logger.exception("could not queue validation of submission %s; the sweep will", submission_id)


def submission_transition(
    *,
    submission: Submission,
    to: str,
    actor: User | None,
    reason: str,
    public: bool = True,
) -> Submission:
    """Move a submission to `to`, if the state machine allows it, and record who and why."""
    fields = {"published_at": timezone.now()} if to == Status.PUBLISHED else {}
    locked, _ = transition(
        MACHINE,
        submission,
        to=to,
        actor=actor,
        reason=reason,
        fields=fields,
        event_fields={"public": public},
    )
    return locked


def submission_validate(*, submission_id: UUID | str) -> Submission:
    """Validate a stored bundle and record the findings and the derived figures."""
    submission = Submission.objects.get(pk=submission_id)
    if submission.status == Status.RECEIVED:
        submission_transition(
            submission=submission, to=Status.VALIDATING, actor=None, reason="Validation started."
        )
    elif submission.status != Status.VALIDATING:
        # A duplicate delivery of a task that already ran: nothing to do.
        logger.info("submission %s is %s; validation skipped", submission.pk, submission.status)
        return submission
    # The stored bytes stay downloadable whatever the report says.
    with submission.bundle.open("rb") as stream:
        report = bundle_validate(
            stream, submission.bundle_name, size=submission.bundle_size, sha256=submission.bundle_sha256
        )
    return submission_apply_report(submission=submission, report=report)


def submission_apply_report(*, submission: Submission, report: BundleReport) -> Submission:
    """Replace the submission's runs and findings with the report's, then move it on."""
    submission.runs.all().delete()
    submission.findings.all().delete()
    Finding.objects.bulk_create(finding_rows(submission, report.findings))
    Run.objects.bulk_create(
        Run(submission=submission, index=i, **run.to_dict()) for i, run in enumerate(report.runs, 1)
    )
    _copy_report_fields(submission, report)
    submission.save()
    errors = sum(1 for f in report.findings if f.severity == "error")
    if errors:
        to, reason = Status.INVALID, f"Validation found {errors} error(s)."
    else:
        to, reason = Status.AWAITING_REVIEW, f"Validation passed with {len(report.runs)} run(s)."
    return submission_transition(submission=submission, to=to, actor=None, reason=reason)


def finding_rows(submission: Submission, findings: Iterable[ReportFinding]) -> list[Finding]:
    """The rows that store a report's findings for a submission (not saved)."""
    return [
        Finding(
            submission=submission,
            severity=f.severity,
            code=f.code,
            message=f.message,
            # The column holds 255 characters; a JSON path into a hostile document can be longer.
            location=f.location[: Finding._meta.get_field("location").max_length],
        )
        for f in findings
    ]


def _copy_report_fields(submission: Submission, report: BundleReport) -> None:
    manifest = report.manifest or {}
    system = report.system or {}
    submission.suite = Suite.objects.filter(slug=report.suite).first() if report.suite else None
    submission.benchmark = (
        Benchmark.objects.filter(suite__slug=report.suite, slug=report.benchmark).first()
        if report.suite and report.benchmark
        else None
    )
    submission.level = Level.objects.filter(slug=report.level).first() if report.level else None
    submission.availability = report.availability or ""
    submission.profile = report.profile or "full"
    submission.organization_name = str(manifest.get("organization", ""))[:200]
    submission.system_name = str(system.get("system_name", ""))[:200]
    submission.manifest = report.manifest
    submission.system_description = report.system
    submission.hyperparameters = report.hyperparameters
    submission.per_sample_training_flops = report.runs[0].per_sample_flops if report.runs else None
    submission.catalogue_version = report.catalogue_version or ""
    submission.validated_at = timezone.now()
