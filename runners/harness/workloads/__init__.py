"""Benchmark workloads: classification, detection and ranking."""

from __future__ import annotations

from ..registry import CLASSIFICATION, DETECTION, RANKING
from .base import Context, Quality, Workload


def build_workload(context: Context) -> Workload:
    # Imported here so that a host loads only the family it runs.
    if context.spec.family == CLASSIFICATION:
        from .classification import build

        return build(context)
    if context.spec.family == DETECTION:
        from .detection import build

        return build(context)
    if context.spec.family == RANKING:
        from .ranking import build

        return build(context)
    raise ValueError(f"unknown workload family {context.spec.family!r}")


__all__ = ["Context", "Quality", "Workload", "build_workload"]
