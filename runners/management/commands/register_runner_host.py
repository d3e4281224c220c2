"""Register a runner host and print its token, the only time it is shown."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug

from runners.models import RunnerHost
from runners.services import runner_host_register


class Command(BaseCommand):
    help = "Register a runner host in a pool and print its token (shown once; only a hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the host's name, e.g. gpu-node-01")
        parser.add_argument(
            "--pool", required=True, help="the pool it serves: it takes jobs from runner.<pool>"
        )

    def handle(self, *args: Any, name: str, pool: str, **options: Any) -> None:
        for value in (name, pool):
            try:
                validate_slug(value)
            except ValidationError as exc:
                raise CommandError(f"{value!r}: letters, digits, hyphens and underscores only") from exc
        if RunnerHost.objects.filter(name=name).exists():
            raise CommandError(f"A runner host named {name!r} exists; issue it a new token in the admin.")
        host, token = runner_host_register(name=name, pool=pool)
        self.stderr.write(f"Registered {host.name} in pool {host.pool} (queue {host.queue}).")
        self.stderr.write("Its token, shown this once; set it as RUNNER_HOST_TOKEN on the host:")
        self.stdout.write(token)
