"""Import a published results table as imported-unverified leaderboard entries."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ranking.imports import import_entries
from ranking.published_table import ImportProblems, read_table

MAX_BYTES = 64 * 1024 * 1024


class Command(BaseCommand):
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
        parser.add_argument(
            "--as", dest="username", required=True, help="the staff user recorded as importing it"
        )
        parser.add_argument("--dry-run", action="store_true", help="check the table and store nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"].strip()
        if not source:
            raise CommandError("--source must say where the table was published.")
        if len(source) > 500:
            raise CommandError("--source is longer than 500 characters.")
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None or not actor.is_staff:
            raise CommandError(f"{options['username']!r} is not an active staff user.")
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
        for label, submissions in (("imported", result.created), ("unchanged", result.unchanged)):
            for submission in submissions:
                entry = (submission.manifest or {}).get("entry", "?")
                self.stdout.write(f"{label} {entry}: submission {submission.pk}")
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.new} entr{'y' if result.new == 1 else 'ies'}, "
                f"{len(result.unchanged)} already imported, from {source}"
            )
        )
