"""What a pool of runner hosts offers: how many nodes, with how many accelerators each.

A single host offers one node with all its accelerators (the harness uses every GPU it sees).
A Slurm runner host offers what its cluster's partition allows (its host report's `slurm`
part: RUNNER_SLURM_MAX_NODES, RUNNER_SLURM_GPUS_PER_NODE). A job may go to any host of its
pool, so the pool offers what every one of its hosts offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import RunnerHost


@dataclass(frozen=True)
class PoolCapacity:
    pool: str
    hosts: int
    max_nodes: int
    accelerators_per_node: int
    slurm: bool  # every host is a Slurm cluster: fewer accelerators per node may be asked for


def _host_capacity(report: dict[str, Any]) -> tuple[int, int, bool]:
    slurm = report.get("slurm")
    if isinstance(slurm, dict):
        return int(slurm.get("max_nodes") or 1), int(slurm.get("accelerators_per_node") or 0), True
    return 1, int(report.get("gpu_count") or 0), False


def pool_capacity(pool: str) -> PoolCapacity | None:
    """None while no active host of the pool has reported its hardware."""
    reports = [
        report
        for report in RunnerHost.objects.filter(pool=pool, is_active=True).values_list(
            "hardware_report", flat=True
        )
        if isinstance(report, dict)
    ]
    if not reports:
        return None
    capacities = [_host_capacity(report) for report in reports]
    return PoolCapacity(
        pool=pool,
        hosts=len(capacities),
        max_nodes=min(c[0] for c in capacities),
        accelerators_per_node=min(c[1] for c in capacities),
        slurm=all(c[2] for c in capacities),
    )


def check_scale(
    nodes: int, accelerators_per_node: int | None, capacity: PoolCapacity | None, pool: str
) -> list[str]:
    """Whether the pool offers nodes x accelerators_per_node; the errors say what it does offer."""
    if capacity is None:
        if nodes > 1:
            return [
                f"nodes: no host of pool {pool} has reported its hardware yet; only 1 node can be asked for"
            ]
        return []
    offer = (
        f"pool {pool} offers at most {capacity.max_nodes} node{'s' if capacity.max_nodes != 1 else ''} "
        f"with {capacity.accelerators_per_node} accelerators each"
    )
    errors = []
    if nodes > capacity.max_nodes:
        errors.append(f"nodes: {nodes} asked for; {offer}")
    if accelerators_per_node is not None:
        if accelerators_per_node > capacity.accelerators_per_node:
            errors.append(f"accelerators_per_node: {accelerators_per_node} asked for; {offer}")
        elif not capacity.slurm and accelerators_per_node != capacity.accelerators_per_node:
            errors.append(
                f"accelerators_per_node: the hosts of pool {pool} run every job on all their "
                f"{capacity.accelerators_per_node} accelerators"
            )
    return errors
