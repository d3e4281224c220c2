"""Results imported from a published table: ranked, and shown as imported and unverified.

The table is read and checked by ranking.published_table; each entry is then stored through
submissions.imports as a submission whose provenance is `imported_unverified`, published with
the source in its history. The scores are computed by `ranking.scoring` from the imported
runs, exactly as for an uploaded bundle: a table's own score column, if it had one, is never
taken.

The write is one transaction, so a file with any problem imports nothing. Each entry is keyed
by (source, entry id) in the submission's idempotency key: importing the same file again
creates nothing, and a changed row for an entry already imported is an error, not a silent
second result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User

from submissions.imports import ImportResult, PublishedCopy, submissions_import_published

from .published_table import Entry


def import_entries(
    entries: Iterable[Entry], *, source: str, actor: User, dry_run: bool = False
) -> ImportResult:
    """Store new entries as published, imported-unverified submissions; one transaction."""
    copies = (_copy(entry, source=source) for entry in entries)
    return submissions_import_published(copies, actor=actor, dry_run=dry_run)


def _copy(entry: Entry, *, source: str) -> PublishedCopy:
    name = entry.fields["entry"]
    return PublishedCopy(
        key=entry.idempotency_key,
        # The entry's rows, header first, are its stored record: downloadable as its "bundle".
        record=entry.record(),
        record_name=f"imported-{hashlib.sha256(entry.key.encode()).hexdigest()[:12]}.csv",
        benchmark=entry.benchmark,
        level=entry.level,
        availability=entry.fields["availability"],
        organization_name=entry.fields["organization"],
        system_name=entry.fields["system_name"],
        manifest={"imported_from": source, "entry": name},
        system_description=entry.system_description(),
        per_sample_training_flops=entry.per_sample_training_flops,
        published_on=entry.published_on,
        runs=_runs(entry),
        reason=(
            f"Imported from {source} (entry {name}, {len(entry.runs)} run(s)); "
            "figures as published there, not verified by BenchCouncil."
        ),
        conflict=lambda pk: f"entry {name!r}: imported before from this source as {pk} with other figures",
    )


def _runs(entry: Entry) -> list[dict[str, Any]]:
    flops = entry.per_sample_training_flops or entry.benchmark.per_sample_training_flops
    return [
        {
            "index": index,
            "log_name": f"line {run.line}",
            "seed": run.seed,
            "status": "success" if run.converged else "aborted",
            "converged": run.converged,
            "time_to_train_s": run.time_to_train_s,
            "time_to_quality_s": run.time_to_quality_s,
            "achieved_quality": run.achieved_quality,
            "samples_processed": run.samples_processed,
            "per_sample_flops": flops,
            "total_flops": flops * run.samples_processed,
        }
        for index, run in enumerate(entry.runs)
    ]
