"""What the import commands share: the staff user they record, and their account of what they stored."""

from __future__ import annotations

from argparse import ArgumentParser

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from submissions.imports import ImportResult


class ImportCommand(BaseCommand):
    def add_actor_argument(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--as", dest="username", required=True, help="the staff user recorded as importing it"
        )

    def staff_actor(self, username: str) -> User:
        """Only an active staff user may publish results that no review has looked at."""
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None or not actor.is_staff:
            raise CommandError(f"{username!r} is not an active staff user.")
        return actor

    def write_result(self, result: ImportResult, *, dry_run: bool, origin: str) -> None:
        """A line per entry stored or already there, then the counts and where they came from."""
        for label, submissions in (("imported", result.created), ("unchanged", result.unchanged)):
            for submission in submissions:
                entry = (submission.manifest or {}).get("entry", "?")
                self.stdout.write(f"{label} {entry}: submission {submission.pk}")
        verb = "would import" if dry_run else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.new} entr{'y' if result.new == 1 else 'ies'}, "
                f"{len(result.unchanged)} already imported, {origin}"
            )
        )
