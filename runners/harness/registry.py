"""Which workload runs which catalogue benchmark, and the models each may use at free level.

The table itself is runners.level_rules's (torch-free), so that the web tier checks a job against
the very workloads and models the harness builds; the harness's modules read it from here.
"""

from runners.level_rules import CLASSIFICATION, DETECTION, RANKING, WORKLOADS, WorkloadSpec

__all__ = ["CLASSIFICATION", "DETECTION", "RANKING", "WORKLOADS", "WorkloadSpec"]
