"""Import a published results table as imported-unverified leaderboard entries."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from ranking.imports import import_entries
from ranking.management.importing import ImportCommand
from ranking.published_table import ImportProblems, read_table

MAX_BYTES = 64 * 1024 * 1024


class Command(ImportCommand):
    help = (
        "Import a CSV table of published results (one row per run; format in docs/importing.md). "
        "Entries are published as 'Imported, unverified' and ranked from their runs. A table with "
        "any problem imports nothing; importing the same table again creates nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("table", type=Path, help="the CSV file")
        parser.add_argument(
            "--source",
            required=True,
            help="where the table was published (a URL or a citation); shown in every entry's history",
        )
        self.add_actor_argument(parser)
        parser.add_argument("--dry-run", action="store_true", help="check the table and store nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"].strip()
        if not source:
            raise CommandError("--source must say where the table was published.")
        if len(source) > 500:
            raise CommandError("--source is longer than 500 characters.")
        actor = self.staff_actor(options["username"])
        path: Path = options["table"]
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MiB; split it.")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None

        try:
            entries, warnings = read_table(data, source=source, today=timezone.now().date())
            result = import_entries(entries, source=source, actor=actor, dry_run=options["dry_run"])
        except ImportProblems as exc:
            raise CommandError(f"{path}: nothing imported.\n{exc}") from None

        for warning in warnings:
            self.stderr.write(f"warning: {warning}")
        self.write_result(result, dry_run=options["dry_run"], origin=f"from {source}")
