"""Signals the catalogue sends; other apps connect to them, the catalogue imports none."""

from django.dispatch import Signal

# Sent with `benchmarks` (a list of Benchmark rows) whose scoring rules changed in a sync,
# so that their leaderboards are recomputed.
benchmark_rules_changed = Signal()
