"""A real two-node Slurm cluster on loopback: munged, slurmctld and two slurmd on 127.0.0.1.

Debian's slurm-wlm runs several slurmd daemons on one host, each acting as one node on its
own port, so `srun -N 2` is a real multi-node allocation. Used by the Slurm runner tests;
needs root (slurmd runs the jobs as their users) and the Debian packages slurm-wlm and munge
(`make slurm` installs them).

    python scripts/slurm_cluster.py --dir /tmp/slurm     # start, print `ready`, stop on Ctrl-C
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PACKAGES = ("slurm-wlm", "munge")
DAEMONS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "srun", "scontrol", "squeue", "scancel")
NODES = ("n1", "n2")
MUNGE_DIRS = ("/run/munge", "/var/log/munge", "/var/lib/munge")

SLURM_CONF = """\
ClusterName=benchcouncil-test
SlurmctldHost={host}
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SlurmUser=root
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd-%n.pid
SlurmdSpoolDir={dir}/spool/%n
StateSaveLocation={dir}/state
SlurmctldLogFile={dir}/log/slurmctld.log
SlurmdLogFile={dir}/log/slurmd-%n.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
KillWait=5
InactiveLimit=0
{nodes}
PartitionName=debug Nodes={node_names} Default=YES MaxTime=INFINITE State=UP
"""
NODE_LINE = (
    "NodeName={name} NodeHostname={host} NodeAddr=127.0.0.1 Port={port} CPUs=1 RealMemory=2000 State=UNKNOWN"
)


class SlurmUnavailable(RuntimeError):
    """Slurm cannot run here; the message says why (missing packages, not root...)."""


def why_unavailable() -> str | None:
    """None when a loopback cluster can start here, else the reason it cannot."""
    missing = [name for name in DAEMONS if shutil.which(name) is None]
    if missing:
        return (
            f"Slurm is not installed ({', '.join(missing)} not found); install the Debian packages "
            f"{' '.join(PACKAGES)} (`make slurm`)"
        )
    if os.geteuid() != 0:
        return "a loopback Slurm cluster needs root (slurmd starts jobs as their users)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    dir: Path
    conf: Path
    env: dict[str, str]
    pid_files: list[Path] = field(default_factory=list)
    munge_pid: int | None = None
    owns_dir: bool = False

    @property
    def nodes(self) -> tuple[str, ...]:
        return NODES

    def run(self, *command: str, timeout: float = 30) -> str:
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def stop(self) -> None:
        """Cancel what is left in its queue, then stop every daemon this cluster started.

        Daemons are stopped by the pids they recorded; a step daemon (slurmstepd) that outlived
        its slurmd is found by its working folder, which is this cluster's.
        """
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.run("scancel", "--full", "--partition=debug")
            _wait(lambda: not self.run("squeue", "--noheader").strip(), 60, "an empty queue")
        for path in self.pid_files:
            _kill_pid_file(path)
        for pid in _step_daemons(self.dir):
            _kill(pid)
        if self.munge_pid is not None:
            _kill(self.munge_pid)
        if self.owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def _step_daemons(folder: Path) -> list[int]:
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if not (proc / "cmdline").read_bytes().startswith(b"slurmstepd"):
                continue
            if Path(os.readlink(proc / "cwd")).is_relative_to(folder):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _kill_pid_file(path: Path) -> None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return
    _kill(pid)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _munge_running() -> bool:
    done = subprocess.run(["munge", "-n"], capture_output=True, timeout=10)
    return done.returncode == 0


def _start_munge() -> int | None:
    """munged with the host's key; an already running munged (one per host) is reused."""
    if _munge_running():
        return None
    key = Path("/etc/munge/munge.key")
    if not key.exists():
        subprocess.run(["mungekey", "-c"], check=True, capture_output=True)
    for folder in MUNGE_DIRS:
        Path(folder).mkdir(parents=True, exist_ok=True)
    subprocess.run(["chown", "-R", "munge:", "/etc/munge", *MUNGE_DIRS], check=True)
    key.chmod(0o400)
    pid_file = Path("/run/munge/munged.pid")
    subprocess.run(
        ["su", "-s", "/bin/sh", "munge", "-c", "/usr/sbin/munged"], check=True, capture_output=True
    )
    _wait(_munge_running, 20, "munged")
    return int(pid_file.read_text().strip())


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise SlurmUnavailable(f"{what} did not come up within {timeout:.0f} s")


def start(directory: Path | None = None) -> Cluster:
    """Start munged (if none runs), slurmctld and one slurmd per node; wait until both are idle."""
    reason = why_unavailable()
    if reason:
        raise SlurmUnavailable(reason)
    scratch = Path(directory or tempfile.mkdtemp(prefix="slurm-"))
    for sub in ("spool/n1", "spool/n2", "state", "log"):
        (scratch / sub).mkdir(parents=True, exist_ok=True)
    host = socket.gethostname()
    ports = [_free_port() for _ in NODES]
    nodes = "\n".join(NODE_LINE.format(name=n, host=host, port=p) for n, p in zip(NODES, ports, strict=True))
    conf = scratch / "slurm.conf"
    conf.write_text(
        SLURM_CONF.format(
            host=host,
            ctld_port=_free_port(),
            slurmd_port=ports[0],
            dir=scratch,
            nodes=nodes,
            node_names=",".join(NODES),
        )
    )
    env = {**os.environ, "SLURM_CONF": str(conf)}
    cluster = Cluster(dir=scratch, conf=conf, env=env, owns_dir=directory is None)
    try:
        cluster.munge_pid = _start_munge()
        cluster.pid_files.append(scratch / "slurmctld.pid")
        cluster.run("slurmctld", "-f", str(conf))
        for node in NODES:
            cluster.pid_files.append(scratch / f"slurmd-{node}.pid")
            cluster.run("slurmd", "-f", str(conf), "-N", node)
        _wait(lambda: _idle(cluster), 60, "two idle Slurm nodes")
    except Exception:
        cluster.stop()
        raise
    return cluster


def _idle(cluster: Cluster) -> bool:
    try:
        states = cluster.run("sinfo", "-h", "-N", "-o", "%N %t").split()
    except (RuntimeError, subprocess.TimeoutExpired):
        return False
    return states.count("idle") == len(NODES)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="scratch folder (configuration, state, logs)")
    args = parser.parse_args()
    try:
        cluster = start(args.dir)
    except SlurmUnavailable as exc:
        print(f"unavailable: {exc}", flush=True)
        return 1
    print(f"ready SLURM_CONF={cluster.conf}", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
