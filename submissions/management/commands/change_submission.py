"""Change a submission's provenance (downwards only) or organization, recorded in its history.

    python manage.py change_submission <id> --by <staff username> --reason "..." \\
        [--provenance submitter_reported|imported_unverified] [--organization <slug> | --no-organization]

The admin shows both fields read-only; this is the staff's way to change them, through
submissions.provenance, which records who and why and recomputes the submission's board.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from submissions.models import Organization, Submission
from submissions.provenance import submission_change_organization, submission_change_provenance


class Command(BaseCommand):
    help = "Change a submission's provenance (never to runner-verified) or organization, with a reason."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("submission_id")
        parser.add_argument("--by", required=True, help="the staff user making the change")
        parser.add_argument("--reason", required=True, help="why, for the submission's history")
        parser.add_argument("--provenance", help="submitter_reported or imported_unverified")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--organization", help="the organization's slug")
        group.add_argument("--no-organization", action="store_true", help="take it out of its organization")

    def handle(self, *args: Any, **options: Any) -> None:
        submission = Submission.objects.filter(pk=options["submission_id"]).first()
        actor = User.objects.filter(username=options["by"]).first()
        if submission is None or actor is None:
            raise CommandError("No such submission or user.")
        if not (options["provenance"] or options["organization"] or options["no_organization"]):
            raise CommandError("Say what to change: --provenance, --organization or --no-organization.")
        try:
            if options["provenance"]:
                submission_change_provenance(
                    submission=submission,
                    provenance=options["provenance"],
                    actor=actor,
                    reason=options["reason"],
                )
            if options["organization"] or options["no_organization"]:
                organization = self._organization(options["organization"])
                submission_change_organization(
                    submission=submission, organization=organization, actor=actor, reason=options["reason"]
                )
        except (PermissionDenied, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        submission.refresh_from_db()
        self.stdout.write(f"{submission.pk}: {submission.provenance}, organization {submission.organization}")

    @staticmethod
    def _organization(slug: str | None) -> Organization | None:
        if slug is None:
            return None
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization {slug!r}.")
        return organization
