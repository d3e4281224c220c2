"""Recompute every leaderboard now, e.g. after an upgrade that changes how boards are ranked
or which result leads (the leader is the best available result)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ranking.models import Leaderboard
from ranking.services import leaderboard_recompute


class Command(BaseCommand):
    help = "Recompute every leaderboard from its published results (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        boards = Leaderboard.objects.values_list("benchmark_id", "level_id", "profile")
        count = 0
        for benchmark_id, level_id, profile in boards:
            leaderboard_recompute(benchmark_id=benchmark_id, level_id=level_id, profile=profile)
            count += 1
        self.stdout.write(f"recomputed {count} leaderboard{'s' if count != 1 else ''}")
