"""Results published elsewhere, stored as imported-unverified submissions and published.

An importer reads and checks its source (ranking.published_table for a results table,
ranking.mlperf_round for an MLPerf round) and hands each result over as a `PublishedCopy`.
Here it becomes a submission like any other: its row, its runs and findings, and one move
through the state machine (`submission_transition`), so its history, the status signals and
the ranking app's re-ranking are those of every publication.

The path an import takes: its figures were checked before anything is stored (a source with
any problem imports nothing), so the row starts where a checked bundle waits, awaiting
review; its review happened where it was published, and the staff member running the import
vouches for the copy by publishing it, with the source in the reason. Its date is the
source's publication date, not the import's.

Importing is idempotent: each result is keyed by its source in the idempotency key, the
same record again is the earlier submission, and other figures under the same key are
refused until the earlier one is withdrawn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction

from catalogue.models import Benchmark, Level
from submissions.bundles.report import Finding as ReportFinding

from .models import Finding, Profile, Provenance, Run, Submission
from .services import finding_rows, submission_transition
from .states import Status


class ImportProblems(ValueError):
    """Every problem found in a source, each saying where; nothing of it is stored."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the table:\n" + "\n".join(problems))


@dataclass
class PublishedCopy:
    """One published result, as its importer read and checked it."""

    key: str  # the idempotency key: the source and the result's place in it
    record: bytes  # what the source holds of it, downloadable as its "bundle"
    record_name: str
    benchmark: Benchmark
    level: Level
    availability: str
    organization_name: str
    system_name: str
    manifest: dict[str, Any]
    system_description: dict[str, Any]
    per_sample_training_flops: float | None
    published_on: date
    runs: list[dict[str, Any]]  # each run's Run fields, its index among them
    reason: str  # the history's word on where it comes from
    # What to say when the earlier import under `key` (its id given) holds other figures.
    conflict: Callable[[Any], str]
    findings: Sequence[ReportFinding] = ()


@dataclass
class ImportResult:
    created: list[Submission]  # empty in a dry run
    unchanged: list[Submission]  # imported before, with the same record
    new: int  # results not imported before (stored unless a dry run)


def submissions_import_published(
    copies: Iterable[PublishedCopy], *, actor: User, dry_run: bool = False
) -> ImportResult:
    """Store and publish each copy not imported before; one transaction, all or nothing."""
    todo: list[PublishedCopy] = []
    unchanged: list[Submission] = []
    conflicts: list[str] = []
    for copy in copies:
        earlier = Submission.objects.filter(owner=actor, idempotency_key=copy.key).first()
        if earlier is None:
            todo.append(copy)
        elif earlier.bundle_sha256 == hashlib.sha256(copy.record).hexdigest():
            unchanged.append(earlier)
        else:
            conflicts.append(
                copy.conflict(earlier.pk)
                + "; withdraw that one (with a reason) before importing a correction"
            )
    if conflicts:
        raise ImportProblems(conflicts)
    if dry_run:
        return ImportResult(created=[], unchanged=unchanged, new=len(todo))
    with transaction.atomic():
        created = [submission_import_published(copy=copy, actor=actor) for copy in todo]
    return ImportResult(created=created, unchanged=unchanged, new=len(todo))


@transaction.atomic
def submission_import_published(*, copy: PublishedCopy, actor: User) -> Submission:
    """Store one published result as an imported-unverified submission and publish it."""
    submission = Submission(
        owner=actor,
        status=Status.AWAITING_REVIEW,
        provenance=Provenance.IMPORTED_UNVERIFIED,
        bundle_name=copy.record_name,
        bundle_size=len(copy.record),
        bundle_sha256=hashlib.sha256(copy.record).hexdigest(),
        idempotency_key=copy.key,
        suite=copy.benchmark.suite,
        benchmark=copy.benchmark,
        level=copy.level,
        availability=copy.availability,
        profile=Profile.FULL,
        organization_name=copy.organization_name,
        system_name=copy.system_name,
        manifest=copy.manifest,
        system_description=copy.system_description,
        per_sample_training_flops=copy.per_sample_training_flops,
        catalogue_version=copy.benchmark.catalogue_version,
    )
    submission.bundle.save(copy.record_name, ContentFile(copy.record), save=False)
    submission.save()
    Run.objects.bulk_create(Run(submission=submission, **run) for run in copy.runs)
    Finding.objects.bulk_create(finding_rows(submission, copy.findings))
    published = submission_transition(
        submission=submission, to=Status.PUBLISHED, actor=actor, reason=copy.reason
    )
    # Shown and ranked as of the day the source published it.
    published.published_at = datetime.combine(copy.published_on, time(12, 0), tzinfo=UTC)
    published.save(update_fields=["published_at"])
    return published
