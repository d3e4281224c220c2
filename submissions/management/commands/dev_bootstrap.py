"""Create a demo organization, submitter and API token for local development (DEBUG only)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from submissions.models import Membership, Organization


class Command(BaseCommand):
    help = "Create the demo account for local development and print its API token."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("dev_bootstrap creates a known account and runs only with DEBUG on.")
        org, _ = Organization.objects.get_or_create(slug="demo-lab", defaults={"name": "Demo Lab"})
        user = User.objects.filter(username="demo").first()
        if user is None:
            user = User.objects.create_user(
                "demo", "demo@localhost", "demo-password", is_staff=True, is_superuser=True
            )
        Membership.objects.get_or_create(organization=org, user=user)
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(
            "Demo account (DEBUG only): user demo, password demo-password, "
            f"organization demo-lab, API token {token.key}"
        )
