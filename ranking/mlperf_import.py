"""Store a checked MLPerf round (ranking.mlperf_round) as imported-unverified entries.

Like ``ranking.imports`` for published tables, through submissions.imports: one transaction,
each entry keyed by (round, result directory, board) in its idempotency key, so importing the
same round again creates nothing, and a result whose files changed since it was imported is
refused rather than stored twice. The entry's record (its downloadable "bundle") is the result
directory and the system file, packed as they are in the round.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.contrib.auth.models import User

from catalogue.models import Benchmark, Level
from submissions.imports import ImportResult, PublishedCopy, submissions_import_published

from .mlperf_round import Fit


def entry_key(round_name: str, fit: Fit) -> str:
    return (
        "mlperf:"
        + hashlib.sha256(
            f"{round_name}\n{fit.result.path}\n{fit.benchmark.key}\n{fit.level.slug}".encode()
        ).hexdigest()
    )


def mlperf_round_import(
    fits: list[Fit], *, round_name: str, published_on: date, actor: User, dry_run: bool = False
) -> ImportResult:
    """Store the fits that have no error findings; one transaction."""
    copies = (_copy(fit, round_name=round_name, published_on=published_on) for fit in fits if not fit.errors)
    return submissions_import_published(copies, actor=actor, dry_run=dry_run)


def _copy(fit: Fit, *, round_name: str, published_on: date) -> PublishedCopy:
    benchmark = Benchmark.objects.select_related("suite").get(
        suite__slug=fit.benchmark.suite, slug=fit.benchmark.slug
    )
    key, result = entry_key(round_name, fit), fit.result
    source, description = result.source_url(round_name), result.description or {}
    board = f"{result.path} -> {fit.benchmark.key}/{fit.level.slug}"
    return PublishedCopy(
        key=key,
        record=result.record(),
        record_name=f"mlperf-{round_name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.tar.gz",
        benchmark=benchmark,
        level=Level.objects.get(slug=fit.level.slug),
        availability=fit.availability,
        organization_name=str(description.get("submitter") or result.submitter)[:200],
        system_name=str(description.get("system_name") or result.system)[:200],
        manifest={"imported_from": source, "mlperf_round": round_name, "entry": result.path},
        system_description=description,
        per_sample_training_flops=fit.runs[0].per_sample_flops if fit.runs else None,
        published_on=published_on,
        runs=[{"index": i, **run.to_dict()} for i, run in enumerate(fit.runs, 1)],
        findings=fit.findings,
        reason=(
            f"Imported from MLPerf Training {round_name}, {source} ({len(fit.runs)} run(s)); "
            "figures derived from the published logs, not verified by BenchCouncil."
        ),
        conflict=lambda pk: f"{board}: imported before as {pk} from other files",
    )
