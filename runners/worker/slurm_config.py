"""A Slurm runner host's settings, from the environment (docs/runner-hosts.md lists them).

RUNNER_LAUNCHER=slurm turns a runner host into a Slurm cluster's login node: each job is
submitted with sbatch instead of running on the host itself.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

HETEROGENEOUS_POLICIES = ("refuse", "report")
DEFAULT_EXPORT = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "SLURM_CONF",
    "BENCHCOUNCIL_DATA_ROOT",
)
TEMPLATE = Path(__file__).with_name("templates") / "sbatch.sh"


class SlurmConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SlurmConfig:
    partition: str
    account: str
    max_nodes: int | None  # None: the partition's node count, asked of sinfo
    gpus_per_node: int  # accelerators per node the runner allocates; 0 on CPU nodes
    job_dir: Path  # on a file system every node mounts
    python: str  # the interpreter on the compute nodes, with the project installed
    export: tuple[str, ...]  # variables passed to the job (nothing else of the runner's)
    sbatch_options: tuple[str, ...]  # more #SBATCH options, e.g. --qos=normal
    template: Path
    time_grace_s: int  # Slurm's --time is the job's time limit plus this
    poll_s: float  # seconds between looks at the job in Slurm
    heterogeneous: str  # refuse | report an allocation whose nodes differ
    rendezvous_port_base: int

    @classmethod
    def from_env(cls, work_dir: Path) -> SlurmConfig | None:
        """None unless RUNNER_LAUNCHER is slurm."""
        launcher = os.environ.get("RUNNER_LAUNCHER", "local")
        if launcher == "local":
            return None
        if launcher != "slurm":
            raise SlurmConfigError(f"RUNNER_LAUNCHER must be local or slurm, not {launcher!r}")
        heterogeneous = os.environ.get("RUNNER_SLURM_HETEROGENEOUS", "refuse")
        if heterogeneous not in HETEROGENEOUS_POLICIES:
            raise SlurmConfigError(
                f"RUNNER_SLURM_HETEROGENEOUS must be refuse or report, not {heterogeneous!r}"
            )
        max_nodes = os.environ.get("RUNNER_SLURM_MAX_NODES")
        export = os.environ.get("RUNNER_SLURM_EXPORT")
        return cls(
            partition=os.environ.get("RUNNER_SLURM_PARTITION", ""),
            account=os.environ.get("RUNNER_SLURM_ACCOUNT", ""),
            max_nodes=int(max_nodes) if max_nodes else None,
            gpus_per_node=int(os.environ.get("RUNNER_SLURM_GPUS_PER_NODE", "0")),
            job_dir=Path(os.environ.get("RUNNER_SLURM_JOB_DIR") or work_dir),
            python=os.environ.get("RUNNER_SLURM_PYTHON") or sys.executable,
            export=tuple(v for v in export.split(",") if v) if export else DEFAULT_EXPORT,
            sbatch_options=tuple(os.environ.get("RUNNER_SLURM_SBATCH_OPTIONS", "").split()),
            template=Path(os.environ.get("RUNNER_SLURM_TEMPLATE") or TEMPLATE),
            time_grace_s=int(os.environ.get("RUNNER_SLURM_TIME_GRACE_S", "300")),
            poll_s=float(os.environ.get("RUNNER_SLURM_POLL_S", "15")),
            heterogeneous=heterogeneous,
            rendezvous_port_base=int(os.environ.get("RUNNER_SLURM_RENDEZVOUS_PORT_BASE", "29500")),
        )
