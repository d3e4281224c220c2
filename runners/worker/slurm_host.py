"""What a Slurm runner host offers, for its host report: the pool's scale comes from it."""

from __future__ import annotations

from typing import Any

from . import slurm
from .slurm_config import SlurmConfig


def slurm_report(config: SlurmConfig) -> dict[str, Any]:
    env = slurm.slurm_env(config.export)
    max_nodes = config.max_nodes or slurm.partition_nodes(config.partition, env)
    return {
        "partition": config.partition or "(default)",
        "account": config.account,
        "max_nodes": max_nodes,
        "accelerators_per_node": config.gpus_per_node,
        "heterogeneous": config.heterogeneous,
    }
