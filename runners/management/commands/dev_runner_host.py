"""Register this machine as a runner host of the default pool, for development (DEBUG only).

`scripts/dev.py` runs it at every start and gives the token it prints to the runner worker
it starts beside the web server, so a model submission runs with no step by hand.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from runners.models import RunnerHost
from runners.services import runner_host_register, runner_host_rotate_token

DEV_HOST = "dev-local"


class Command(BaseCommand):
    help = "Register (or re-issue the token of) the development runner host and print its token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pool", help="default: RUNNER_DEFAULT_POOL")

    def handle(self, *args: Any, pool: str | None, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("dev_runner_host issues a token for this machine and runs only with DEBUG on.")
        pool = pool or settings.RUNNER_DEFAULT_POOL
        host = RunnerHost.objects.filter(name=DEV_HOST).first()
        if host is None:
            host, token = runner_host_register(name=DEV_HOST, pool=pool)
        else:
            # A new token at each start: the one a previous run printed is not kept anywhere.
            token = runner_host_rotate_token(host=host)
            if (host.pool, host.is_active) != (pool, True):
                host.pool, host.is_active = pool, True
                host.save(update_fields=["pool", "is_active"])
        self.stderr.write(f"Runner host {host.name} serves pool {host.pool} (queue {host.queue}).")
        self.stdout.write(token)
