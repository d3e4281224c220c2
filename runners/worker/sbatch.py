"""A Slurm job's folder on the shared file system: its description, secret, model code and script.

The folder (mode 0700) holds job.json (what every node needs: the service URL, the harness
configuration, the scale), secret (mode 0600: the job's secret and the runner host's token,
which rank 0 alone reads to report and upload),
model_code/ (free level), and sbatch.sh, made from the template. The secret is never put in
the script or the job's environment, both of which Slurm stores and shows (`scontrol show job
-dd`, `scontrol write batch_script`).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .slurm import minutes
from .slurm_config import SlurmConfig

SPEC, SECRET, SCRIPT, NODES_DIR = "job.json", "secret", "sbatch.sh", "nodes"
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._/+-]+$")


@dataclass(frozen=True)
class JobFiles:
    dir: Path

    @property
    def spec(self) -> Path:
        return self.dir / SPEC

    @property
    def secret(self) -> Path:
        return self.dir / SECRET

    @property
    def script(self) -> Path:
        return self.dir / SCRIPT

    @property
    def nodes(self) -> Path:
        return self.dir / NODES_DIR

    @classmethod
    def of_attempt(cls, job_dir: Path, job_id: str, attempt: int) -> JobFiles:
        """The folder of one attempt at a job, under the host's RUNNER_SLURM_JOB_DIR."""
        return cls(job_dir / f"job-{job_id}-{attempt}")

    def read_spec(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.spec.read_text(encoding="utf-8"))
        return data

    def read_secret(self) -> tuple[str, str]:
        """The job's secret and the runner host's token (the service takes uploads with both)."""
        data = json.loads(self.secret.read_text(encoding="utf-8"))
        return str(data["job_secret"]), str(data["host_token"])

    def forget_secret(self) -> None:
        self.secret.unlink(missing_ok=True)


def job_scale(config: dict[str, Any], slurm: SlurmConfig) -> tuple[int, int]:
    """(nodes, accelerators per node) the job asks for; the host's accelerators by default."""
    nodes = int(config.get("nodes") or 1)
    per_node = config.get("accelerators_per_node")
    return nodes, slurm.gpus_per_node if per_node is None else int(per_node)


def job_files_prepare(
    *,
    slurm: SlurmConfig,
    job_id: str,
    attempt: int,
    config: dict[str, Any],
    secret: str,
    host_token: str,
    service_url: str,
    heartbeat_interval_s: float,
    model_code: dict[str, str] | None,
) -> JobFiles:
    if not _SAFE_PATH.match(str(slurm.job_dir)):
        raise ValueError(f"RUNNER_SLURM_JOB_DIR {slurm.job_dir} must be a path without spaces or quotes")
    files = JobFiles.of_attempt(slurm.job_dir, job_id, attempt)
    files.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    files.dir.chmod(0o700)
    config = dict(config)
    if model_code:
        config["model_code"] = str(_write_model_code(files.dir, model_code))
    nodes, per_node = job_scale(config, slurm)
    _write_private(files.secret, json.dumps({"job_secret": secret, "host_token": host_token}))
    spec = {
        "job_id": job_id,
        "attempt": attempt,
        "service_url": service_url,
        "heartbeat_interval_s": heartbeat_interval_s,
        "config": config,
        "nodes": nodes,
        "accelerators_per_node": per_node,
        "heterogeneous": slurm.heterogeneous,
        "rendezvous_port_base": slurm.rendezvous_port_base,
    }
    _write_private(files.spec, json.dumps(spec, indent=2, sort_keys=True))
    _write_private(files.script, render_script(slurm, files, job_id, config, nodes, per_node))
    return files


def render_script(
    slurm: SlurmConfig, files: JobFiles, job_id: str, config: dict[str, Any], nodes: int, per_node: int
) -> str:
    options = [f"--partition={slurm.partition}"] if slurm.partition else []
    options += [f"--account={slurm.account}"] if slurm.account else []
    options += [f"--gpus-per-node={per_node}"] if per_node else []
    options += list(slurm.sbatch_options)
    limit_s = float(config.get("time_limit_s") or 0) + slurm.time_grace_s
    values = {
        "job_name": f"benchcouncil-{job_id[:8]}",
        "nodes": str(nodes),
        "time_minutes": str(minutes(limit_s)),
        "job_dir": str(files.dir),
        "export": ",".join(slurm.export) or "NONE",
        "sbatch_options": "\n".join(f"#SBATCH {option}" for option in options),
        "python": shlex.quote(slurm.python),
    }
    try:
        return string.Template(slurm.template.read_text(encoding="utf-8")).substitute(values)
    except (KeyError, ValueError) as exc:
        known = ", ".join(sorted(values))
        raise ValueError(
            f"the sbatch template {slurm.template} uses an unknown name {exc}; known: {known}"
        ) from exc


def _write_private(path: Path, text: str) -> None:
    """A file only the runner's user can read, created so: it is never readable, even briefly."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)


def _write_model_code(folder: Path, model_code: dict[str, str]) -> Path:
    """The submitter's code as a file for every node's sandbox; the name is never a path."""
    stem = re.sub(r"[^A-Za-z0-9_]", "_", Path(model_code.get("name") or "model.py").stem) or "model"
    path = folder / "model_code" / f"{stem}.py"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    _write_private(path, model_code["source"])
    return path
