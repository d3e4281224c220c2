"""How a level's fixed reference global batch size scales with the number of accelerators.

The rule is catalogue data: a level's `batch_scaling` ("fixed" or "linear") and each
benchmark's `reference_accelerators`, the number of accelerators its reference
`global_batch_size` is meant for. Under "linear" (the hardware level), a job on more
accelerators than that keeps the reference batch per accelerator:

    global_batch_size      = reference global_batch_size / reference_accelerators x accelerators
    opt_base_learning_rate = reference learning rate x accelerators / reference_accelerators

(the linear scaling rule of Goyal et al., 2017); on as many accelerators or fewer, the
reference values stand, and the reference batch is split among the accelerators. CPU nodes
count one process per node. The runner's harness trains with these values and the validator
expects them, from the bundle's number_of_nodes x accelerators_per_node.
"""

from __future__ import annotations

from typing import Any

FIXED, LINEAR = "fixed", "linear"
BATCH_SCALINGS = (FIXED, LINEAR)
SCALED_KEYS = ("global_batch_size", "opt_base_learning_rate")


def processes(number_of_nodes: Any, accelerators_per_node: Any) -> int:
    """Accelerators of a system (one process per CPU node); counts may be digit strings."""
    return max(1, _count(number_of_nodes)) * max(1, _count(accelerators_per_node))


def system_processes(system: dict[str, Any] | None) -> int:
    system = system or {}
    return processes(system.get("number_of_nodes"), system.get("accelerators_per_node"))


def _count(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return 0


def scaled_reference(
    reference: dict[str, Any], batch_scaling: str, reference_accelerators: int, accelerators: int
) -> dict[str, Any]:
    """The reference hyper-parameters for a job on `accelerators` under the level's rule."""
    scaled = dict(reference)
    batch = reference.get("global_batch_size")
    if batch_scaling != LINEAR or accelerators <= reference_accelerators or not isinstance(batch, int):
        return scaled
    scaled["global_batch_size"] = batch // reference_accelerators * accelerators
    rate = reference.get("opt_base_learning_rate")
    if isinstance(rate, int | float) and not isinstance(rate, bool):
        scaled["opt_base_learning_rate"] = rate * accelerators / reference_accelerators
    return scaled
