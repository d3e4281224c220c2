"""Slurm's commands as the runner on a login node uses them: sbatch, scontrol, squeue, scancel.

Only these functions run Slurm's programs; everything else reads their answers as SlurmJob.
State names are Slurm's own (PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED,
NODE_FAIL, ...); the service maps them onto the job's states (runners/scheduler.py).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

COMMAND_TIMEOUT_S = 60
# Slurm's states after which the job will not run again.
ENDED = frozenset(
    {
        "BOOT_FAIL",
        "CANCELLED",
        "COMPLETED",
        "DEADLINE",
        "FAILED",
        "NODE_FAIL",
        "OUT_OF_MEMORY",
        "PREEMPTED",
        "TIMEOUT",
    }
)


class SlurmError(RuntimeError):
    """A Slurm command failed; the message holds its error output."""


@dataclass(frozen=True)
class SlurmJob:
    job_id: str
    state: str  # Slurm's JobState, e.g. PENDING
    reason: str  # Slurm's Reason, e.g. Resources, Priority, None
    exit_code: str  # "exit:signal", e.g. 0:0, 1:0, 0:15
    time_limit: str  # e.g. 00:02:00 or UNLIMITED
    node_list: str  # e.g. n[1-2], or "(null)" while pending
    num_nodes: str

    @property
    def ended(self) -> bool:
        return self.state in ENDED

    def report(self) -> dict[str, str]:
        """What the service is told about the job (runners/scheduler.py reads it)."""
        return {
            "scheduler": "slurm",
            "job_id": self.job_id,
            "state": self.state,
            "reason": self.reason,
            "exit_code": self.exit_code,
            "time_limit": self.time_limit,
            "nodes": "" if self.node_list in ("", "(null)") else self.node_list,
        }


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SlurmError(f"{shlex.join(command)}: {exc}") from exc


def submit(script: Path, env: dict[str, str]) -> str:
    """sbatch the script (its #SBATCH lines say everything); returns Slurm's job id.

    `env` is the whole environment sbatch runs with: never the runner's own, which holds its
    host token, since Slurm stores the submitting environment with the job.
    """
    done = _run(["sbatch", "--parsable", str(script)], env=env)
    if done.returncode != 0:
        raise SlurmError(f"sbatch refused the job: {done.stderr.strip() or done.stdout.strip()}")
    # --parsable prints "jobid" or "jobid;cluster".
    job_id = done.stdout.strip().split(";", 1)[0]
    if not job_id.isdigit():
        raise SlurmError(f"sbatch gave no job id: {done.stdout.strip()!r}")
    return job_id


def show(job_id: str, env: dict[str, str] | None = None) -> SlurmJob | None:
    """The job as the controller knows it; None when it knows it no longer (vanished)."""
    done = _run(["scontrol", "show", "job", "--oneliner", job_id], env=env)
    if done.returncode != 0:
        if "Invalid job id" in done.stderr:
            return None
        raise SlurmError(f"scontrol show job {job_id}: {done.stderr.strip()}")
    return parse_show_job(done.stdout)


def parse_show_job(text: str) -> SlurmJob:
    """`scontrol show job --oneliner` output: Key=Value fields separated by spaces."""
    fields: dict[str, str] = {}
    for token in text.split():
        key, sep, value = token.partition("=")
        if sep and key not in fields:
            fields[key] = value
    if "JobId" not in fields or "JobState" not in fields:
        raise SlurmError(f"scontrol's answer has no JobId/JobState: {text[:200]!r}")
    return SlurmJob(
        job_id=fields["JobId"],
        state=fields["JobState"],
        reason=fields.get("Reason", "None"),
        exit_code=fields.get("ExitCode", ""),
        time_limit=fields.get("TimeLimit", ""),
        node_list=fields.get("NodeList", ""),
        num_nodes=fields.get("NumNodes", ""),
    )


def cancel(job_id: str, env: dict[str, str] | None = None) -> None:
    """scancel the job; cancelling one that already ended is not an error."""
    done = _run(["scancel", job_id], env=env)
    gone = "already completing or completed" in done.stderr or "Invalid job id" in done.stderr
    if done.returncode != 0 and not gone:
        raise SlurmError(f"scancel {job_id}: {done.stderr.strip()}")


def partition_nodes(partition: str, env: dict[str, str] | None = None) -> int:
    """How many nodes the partition (the default one when empty) has."""
    command = ["sinfo", "--noheader", "--format", "%D"]
    if partition:
        command += ["--partition", partition]
    done = _run(command, env=env)
    if done.returncode != 0:
        raise SlurmError(f"sinfo: {done.stderr.strip()}")
    return sum(int(line) for line in done.stdout.split() if line.isdigit())


def node_address(node: str, env: dict[str, str] | None = None) -> str:
    """The node's NodeAddr (where other nodes reach it), which may differ from its name."""
    done = _run(["scontrol", "show", "node", "--oneliner", node], env=env)
    if done.returncode != 0:
        raise SlurmError(f"scontrol show node {node}: {done.stderr.strip()}")
    for token in done.stdout.split():
        if token.startswith("NodeAddr="):
            return token.split("=", 1)[1]
    return node


def first_node(node_list: str, env: dict[str, str] | None = None) -> str:
    """The first host name of a compressed node list such as n[1-2]."""
    done = _run(["scontrol", "show", "hostnames", node_list], env=env)
    if done.returncode != 0 or not done.stdout.split():
        raise SlurmError(f"scontrol show hostnames {node_list}: {done.stderr.strip()}")
    return done.stdout.split()[0]


def minutes(seconds: float) -> int:
    """Slurm's --time in whole minutes, rounded up (Slurm's smallest limit is one minute)."""
    return max(1, -(-int(seconds) // 60))


def slurm_env(passed: tuple[str, ...]) -> dict[str, str]:
    """The environment Slurm's commands run with: the named variables and Slurm's own only."""
    keep = {name: os.environ[name] for name in passed if name in os.environ}
    keep.update({k: v for k, v in os.environ.items() if k.startswith("SLURM_CONF")})
    keep.setdefault("PATH", os.defpath)
    return keep
