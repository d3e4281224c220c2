from django import template

from ranking.models import Benchmark
from ranking.presentation import score_in_unit, score_unit, sig

register = template.Library()


@register.filter
def score_for(value: float | None, benchmark: Benchmark) -> str:
    """A stored score (FLOPS or seconds) as readers see it: '0.778 Valid PFLOPS', '12.5 minutes'."""
    shown = score_in_unit(benchmark, value)
    return "" if shown is None else f"{sig(shown, 4)} {score_unit(benchmark)}"
