from django import template

from catalogue.models import Benchmark
from ranking.board_table import hardware_label, score_label
from ranking.models import LeaderboardEntry
from ranking.presentation import score_in_unit, score_unit, sig

register = template.Library()


@register.filter
def score_for(value: float | None, benchmark: Benchmark) -> str:
    """A stored score (FLOPS or seconds) as readers see it: '0.778 Valid PFLOPS', '12.5 minutes'."""
    shown = score_in_unit(benchmark, value)
    return "" if shown is None else f"{sig(shown, 4)} {score_unit(benchmark)}"


@register.filter
def hardware(entry: LeaderboardEntry) -> str:
    """'H100 × 32', or 'CPU' for a system without accelerators."""
    return hardware_label({"accelerator": entry.accelerator, "accelerator_count": entry.accelerator_count})


@register.filter
def score_heading(benchmark: Benchmark) -> str:
    """The score column's heading, with its one unit."""
    return score_label(benchmark)
