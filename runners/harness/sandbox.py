"""Run untrusted free-level model code in a child process with a scrubbed environment.

What this gives: no service credentials in the child's environment, rlimits (address space, CPU
time, file size, open files, no core dumps), its own process group killed at the time limit.
What it does not give: network or filesystem isolation. See docs/runners.md, "Isolation".
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import JobConfig
from .progress import ProgressCallback, parse_progress_line

REPO_ROOT = Path(__file__).resolve().parents[2]
# Variables a training process needs and that carry no secret; everything else is dropped.
PASSED_THROUGH = (
    "PATH", "LANG", "LC_ALL", "TZ", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES",
    "NVIDIA_DRIVER_CAPABILITIES", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BENCHCOUNCIL_DATA_ROOT",
    "BENCHCOUNCIL_DETECTION_BACKBONE",
)  # fmt: skip
STOP_GRACE_S = 30.0  # after SIGTERM, time to finish the step and write the bundle
ARCHIVE_PREFIX = ":::ARCHIVE "
GIB = 1024**3


class SandboxError(RuntimeError):
    """The sandboxed job failed without writing a bundle; the message ends with its output."""


@dataclass(frozen=True)
class Limits:
    # CUDA maps far more virtual memory than it uses, so GPU jobs must pass None here.
    address_space_bytes: int | None = 64 * GIB
    cpu_seconds: int | None = None  # default: the time limit times the cores, plus a margin
    file_size_bytes: int = 4 * GIB
    open_files: int = 1024


@dataclass(frozen=True)
class SandboxResult:
    returncode: int
    timed_out: bool
    stopped: bool
    output_tail: str


def scrubbed_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Only the allow-listed variables, a private HOME and TMPDIR, and the harness on PYTHONPATH."""
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.update(HOME=str(home), TMPDIR=str(home), PYTHONPATH=str(REPO_ROOT), PYTHONDONTWRITEBYTECODE="1")
    env.update(extra or {})
    return env


def _apply_limits(limits: Limits, cpu_seconds: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_bytes, limits.file_size_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        if limits.address_space_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limits.address_space_bytes, limits.address_space_bytes))

    return apply


def run_sandboxed(
    argv: Sequence[str],
    *,
    workdir: Path,
    time_limit_s: float,
    limits: Limits = Limits(),
    on_line: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> SandboxResult:
    """Run argv in workdir; SIGTERM on should_stop(), SIGKILL to the whole group past the limit."""
    cpu = limits.cpu_seconds or int(time_limit_s * (os.cpu_count() or 1)) + 60
    process = subprocess.Popen(
        list(argv),
        cwd=workdir,
        env=scrubbed_env(workdir, extra_env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        process_group=0,  # its own group: killpg reaches every worker it forks
        preexec_fn=_apply_limits(limits, cpu),  # rlimits must be set in the child, before exec
    )
    tail: collections.deque[str] = collections.deque(maxlen=200)
    reader = threading.Thread(target=_read, args=(process, tail, on_line), daemon=True)
    reader.start()
    deadline, stopped, timed_out, kill_at = time.monotonic() + time_limit_s, False, False, None
    while process.poll() is None:
        now = time.monotonic()
        if not stopped and should_stop is not None and should_stop():
            stopped, kill_at = True, now + STOP_GRACE_S
            _signal_group(process, signal.SIGTERM)
        if now > deadline and not timed_out:
            timed_out = True
            _signal_group(process, signal.SIGKILL)
        if kill_at is not None and now > kill_at:
            _signal_group(process, signal.SIGKILL)
        time.sleep(0.1)
    _signal_group(process, signal.SIGKILL)  # leftovers the child forked and did not reap
    reader.join(timeout=5)
    return SandboxResult(process.returncode, timed_out, stopped, "\n".join(tail))


def _read(
    process: subprocess.Popen[str], tail: collections.deque[str], on_line: Callable[[str], None] | None
) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        tail.append(line.rstrip("\n"))
        if on_line is not None:
            on_line(line.rstrip("\n"))


def _signal_group(process: subprocess.Popen[str], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def run_job_sandboxed(
    config: JobConfig,
    out_dir: Path,
    on_progress: ProgressCallback | None,
    should_stop: Callable[[], bool],
    limits: Limits | None = None,
) -> Path:
    """run_job for free-level model code: the CLI in a sandboxed child, relaying its progress."""
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    gpu = config.device != "cpu" and _host_has_gpu()
    limits = limits or Limits(address_space_bytes=None if gpu else Limits.address_space_bytes)
    archive: list[Path] = []

    def on_line(line: str) -> None:
        if line.startswith(ARCHIVE_PREFIX):
            archive.append(Path(line[len(ARCHIVE_PREFIX) :]))
        elif on_progress is not None and (event := parse_progress_line(line)) is not None:
            on_progress(event)

    with tempfile.TemporaryDirectory(prefix="harness-sandbox-") as scratch:
        workdir = Path(scratch)
        raw = config.to_dict()
        raw["model_code"] = str(Path(config.model_code or "").resolve())
        (workdir / "job.json").write_text(json.dumps(raw))
        argv = [sys.executable, "-m", "runners.harness", "run", "--config", "job.json", "--out", str(out_dir)]
        result = run_sandboxed(
            argv, workdir=workdir, time_limit_s=config.time_limit_s + STOP_GRACE_S, limits=limits,
            on_line=on_line, should_stop=should_stop, extra_env={"BENCHCOUNCIL_HARNESS_SANDBOXED": "1"},
        )  # fmt: skip
    if not archive:
        why = "timed out" if result.timed_out else f"exited with status {result.returncode}"
        raise SandboxError(f"the sandboxed job {why} without a bundle:\n{result.output_tail[-4000:]}")
    return archive[-1]


def _host_has_gpu() -> bool:
    import torch  # the parent already imports torch; kept local so the module reads as plain Python

    return torch.cuda.is_available()
