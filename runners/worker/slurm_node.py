"""What runs on each node of a Slurm allocation: `python -m runners.worker.slurm_node CMD --job-dir D`.

report  this node's hardware report, written to D/nodes/<node>.json (one srun task per node)
check   the allocation's reports against the job's scale: exit 3 when refused as heterogeneous
launch  torchrun on this node, with a c10d rendezvous on the allocation's first node
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import slurm
from .sbatch import JobFiles

REFUSED = 3


def report(files: JobFiles) -> int:
    from runners.harness.cluster import node_report

    node = os.environ.get("SLURMD_NODENAME") or os.uname().nodename
    files.nodes.mkdir(mode=0o700, exist_ok=True)
    (files.nodes / f"{node}.json").write_text(json.dumps(node_report(node), indent=2, sort_keys=True))
    return 0


def check(files: JobFiles) -> int:
    from runners.harness.cluster import allocation_problems, read_node_reports

    spec = files.read_spec()
    problems = allocation_problems(
        read_node_reports(files.nodes), spec["nodes"], spec["accelerators_per_node"]
    )
    if not problems:
        print(f"allocation: {spec['nodes']} alike nodes", flush=True)
        return 0
    if spec["heterogeneous"] == "refuse":
        print("refused: heterogeneous allocation: " + "; ".join(problems), file=sys.stderr, flush=True)
        return REFUSED
    print("heterogeneous allocation, reported in system.json: " + "; ".join(problems), flush=True)
    return 0


def torchrun_command(files: JobFiles, environ: dict[str, str]) -> list[str]:
    """torchrun's arguments for this node, from Slurm's variables and the job's scale."""
    spec = files.read_spec()
    slurm_job = environ["SLURM_JOB_ID"]
    head = slurm.first_node(environ["SLURM_JOB_NODELIST"])
    # Concurrent jobs whose first node is the same get different rendezvous ports.
    port = int(spec["rendezvous_port_base"]) + int(slurm_job) % 1000
    return [
        sys.executable, "-m", "torch.distributed.run",
        f"--nnodes={environ['SLURM_JOB_NUM_NODES']}",
        f"--nproc-per-node={max(1, int(spec['accelerators_per_node']))}",
        "--rdzv-backend=c10d",
        f"--rdzv-endpoint={slurm.node_address(head)}:{port}",
        f"--rdzv-id=benchcouncil-{slurm_job}",
        # The first node hosts the rendezvous store; saying so avoids guessing from addresses.
        f"--rdzv-conf=is_host={1 if environ.get('SLURM_NODEID') == '0' else 0}",
        "--max-restarts=0",
        "-m", "runners.worker.slurm_rank", "--job-dir", str(files.dir),
    ]  # fmt: skip


def launch(files: JobFiles) -> int:
    from runners.harness.cluster import ALLOCATED_ACCELERATORS_ENV, NODE_REPORTS_ENV

    spec = files.read_spec()
    env = {
        **os.environ,
        NODE_REPORTS_ENV: str(files.nodes),
        ALLOCATED_ACCELERATORS_ENV: str(spec["accelerators_per_node"]),
    }
    command = torchrun_command(files, env)
    os.execve(command[0], command, env)  # noqa: S606 - torchrun with arguments of our own
    return 0  # not reached: execve replaces this process


COMMANDS = {"report": report, "check": check, "launch": launch}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runners.worker.slurm_node")
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--job-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    return COMMANDS[args.command](JobFiles(args.job_dir))


if __name__ == "__main__":
    sys.exit(main())
