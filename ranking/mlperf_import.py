"""Store a checked MLPerf round (ranking.mlperf_round) as imported-unverified entries.

Like ``ranking.imports`` for published tables: one transaction, each entry keyed by
(round, result directory, board) in its idempotency key, so importing the same round again
creates nothing, and a result whose files changed since it was imported is refused rather
than stored twice. The entry's record (its downloadable "bundle") is the result directory
and the system file, packed as they are in the round.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import partial

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction

from catalogue.models import Benchmark, Level
from submissions.models import Finding, Profile, Provenance, Run, StatusEvent, Submission
from submissions.states import Status

from .imports import ImportProblems, earlier_import
from .mlperf_round import Fit
from .services import leaderboard_enqueue_recompute


@dataclass
class MlperfImport:
    created: list[Submission]  # empty in a dry run
    unchanged: list[Submission]
    new: int


def entry_key(round_name: str, fit: Fit) -> str:
    return (
        "mlperf:"
        + hashlib.sha256(
            f"{round_name}\n{fit.result.path}\n{fit.benchmark.key}\n{fit.level.slug}".encode()
        ).hexdigest()
    )


def mlperf_round_import(
    fits: list[Fit], *, round_name: str, published_on: date, actor: User, dry_run: bool = False
) -> MlperfImport:
    """Store the fits that have no error findings; one transaction."""
    todo: list[tuple[Fit, bytes, str]] = []
    unchanged: list[Submission] = []
    conflicts: list[str] = []
    for fit in fits:
        if fit.errors:
            continue
        key, record = entry_key(round_name, fit), fit.result.record()
        earlier, same = earlier_import(actor=actor, key=key, record=record)
        if earlier is None:
            todo.append((fit, record, key))
        elif same:
            unchanged.append(earlier)
        else:
            conflicts.append(
                f"{fit.result.path} -> {fit.benchmark.key}/{fit.level.slug}: imported before as {earlier.pk} "
                "from other files; withdraw that one (with a reason) before importing a correction"
            )
    if conflicts:
        raise ImportProblems(conflicts)
    if dry_run:
        return MlperfImport(created=[], unchanged=unchanged, new=len(todo))
    created = []
    with transaction.atomic():
        boards: set[tuple[int, int]] = set()
        for fit, record, key in todo:
            submission = _store(
                fit, record, key, round_name=round_name, published_on=published_on, actor=actor
            )
            created.append(submission)
            assert submission.benchmark_id is not None and submission.level_id is not None
            boards.add((submission.benchmark_id, submission.level_id))
        for benchmark_id, level_id in sorted(boards):
            transaction.on_commit(partial(_recompute, benchmark_id, level_id))
    return MlperfImport(created=created, unchanged=unchanged, new=len(todo))


def _recompute(benchmark_id: int, level_id: int) -> None:
    leaderboard_enqueue_recompute(benchmark_id=benchmark_id, level_id=level_id, profile=Profile.FULL)


def _store(
    fit: Fit, record: bytes, key: str, *, round_name: str, published_on: date, actor: User
) -> Submission:
    benchmark = Benchmark.objects.select_related("suite").get(
        suite__slug=fit.benchmark.suite, slug=fit.benchmark.slug
    )
    level = Level.objects.get(slug=fit.level.slug)
    result, source = fit.result, fit.result.source_url(round_name)
    description = result.description or {}
    name = f"mlperf-{round_name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.tar.gz"
    submission = Submission(
        owner=actor,
        status=Status.PUBLISHED,
        provenance=Provenance.IMPORTED_UNVERIFIED,
        bundle_name=name,
        bundle_size=len(record),
        bundle_sha256=hashlib.sha256(record).hexdigest(),
        idempotency_key=key,
        suite=benchmark.suite,
        benchmark=benchmark,
        level=level,
        availability=fit.availability,
        profile=Profile.FULL,
        organization_name=str(description.get("submitter") or result.submitter)[:200],
        system_name=str(description.get("system_name") or result.system)[:200],
        manifest={"imported_from": source, "mlperf_round": round_name, "entry": result.path},
        system_description=description,
        per_sample_training_flops=fit.runs[0].per_sample_flops if fit.runs else None,
        catalogue_version=benchmark.catalogue_version,
        published_at=datetime.combine(published_on, time(12, 0), tzinfo=UTC),
    )
    submission.bundle.save(name, ContentFile(record), save=False)
    submission.save()
    Run.objects.bulk_create(
        Run(submission=submission, index=i, **run.to_dict()) for i, run in enumerate(fit.runs, 1)
    )
    Finding.objects.bulk_create(
        Finding(
            submission=submission,
            severity=f.severity,
            code=f.code,
            message=f.message,
            location=f.location[:255],
        )
        for f in fit.findings
    )
    StatusEvent.objects.create(
        submission=submission,
        from_status="",
        to_status=Status.PUBLISHED,
        actor=actor,
        reason=(
            f"Imported from MLPerf Training {round_name}, {source} ({len(fit.runs)} run(s)); "
            "figures derived from the published logs, not verified by BenchCouncil."
        ),
    )
    return submission
