"""Run code the harness does not trust inside bubblewrap (bwrap), talking to it as data only.

Isolation (docs/runners.md, "Isolation"): new user, PID, network, mount, IPC, UTS and cgroup
namespaces; no network device but a dead loopback; a read-only view of the system directories,
the Python installation and the harness code only; one writable scratch directory; an empty
environment but for an allow-list; no capabilities; rlimits; killed with its whole namespace
at the time limit or when the harness dies. Nothing else of the host is mounted: no runner
files, no data root beyond what a job binds explicitly, no other process in /proc.

Where bwrap is missing or cannot create the namespaces, sandbox_problem() says why and
nothing runs: a job that needs the sandbox is refused, never run without it.

The interface the rest of the harness (and a launcher on another node) uses:
    Mounts(scratch, read_only=((host_path, inside_path), ...), gpu=...)
    SandboxProcess(argv, mounts, limits, time_limit_s)  -> send(msg) / receive(...) / close()
    run_sandboxed(argv, scratch=..., time_limit_s=...)  -> SandboxResult (run to the end)
Messages are JSON objects, one per line: to the child on its stdin, from it as stdout lines
starting with MESSAGE_PREFIX. Every other line it prints is log text, never an instruction.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import json
import logging
import os
import queue
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .messages import MESSAGE_PREFIX

logger = logging.getLogger("runners.harness.sandbox")

REPO_ROOT = Path(__file__).resolve().parents[2]
BWRAP_ENV = "BENCHCOUNCIL_BWRAP"  # the bwrap binary; default: bwrap on PATH
CODE_DIR = "/opt/benchcouncil"  # the harness code, read-only, inside the sandbox
SCRATCH = "/scratch"  # the one writable directory inside the sandbox
SANDBOX_TMP = "/scratch/tmp"  # noqa: S108 - a path inside the sandbox, in its private scratch
# The code the sandboxed programs import: the harness and the torch-free catalogue it reads.
CODE_PATHS = (
    "runners/__init__.py", "runners/level_rules.py", "runners/harness",
    "catalogue/__init__.py", "catalogue/scaling.py", "catalogue/catalogue.toml",
)  # fmt: skip
# Variables a training process needs and that carry no secret; everything else is dropped.
PASSED_THROUGH = (
    "LANG", "LC_ALL", "TZ", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
    "OMP_NUM_THREADS", "MKL_NUM_THREADS",
)  # fmt: skip
SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/alternatives")
GIB = 1024**3
TAIL_LINES = 200


class SandboxUnavailable(RuntimeError):
    """The host cannot sandbox untrusted code; the message says why."""


class SandboxError(RuntimeError):
    """The sandboxed process failed or broke the protocol; the message ends with its output."""


@dataclass(frozen=True)
class Limits:
    # CUDA maps far more virtual memory than it uses, so GPU jobs must pass None here.
    address_space_bytes: int | None = 64 * GIB
    cpu_seconds: int | None = None  # default: the time limit times the cores, plus a margin
    file_size_bytes: int = 4 * GIB
    open_files: int = 1024


@dataclass(frozen=True)
class Mounts:
    scratch: Path  # mounted read-write at SCRATCH; the child's HOME, TMPDIR and working directory
    read_only: tuple[tuple[Path, str], ...] = ()  # (host path, path inside): data a job may read
    gpu: bool = False  # pass the NVIDIA device nodes through


@dataclass(frozen=True)
class SandboxResult:
    returncode: int
    timed_out: bool
    stopped: bool
    output_tail: str


def bwrap_path() -> str | None:
    configured = os.environ.get(BWRAP_ENV)
    return configured if configured else shutil.which("bwrap")


@functools.cache
def _probe(bwrap: str | None) -> str | None:
    if bwrap is None or not Path(bwrap).is_file():
        return f"bubblewrap (bwrap) is not installed on this host{f' at {bwrap}' if bwrap else ''}"
    with contextlib.suppress(OSError):
        scratch = Path(os.environ.get("TMPDIR", "/tmp"))  # noqa: S108 - only mounted, nothing written
        argv = bwrap_argv(Mounts(scratch), [sys.executable, "-c", "import socket; socket.socket()"], bwrap)
        probe = subprocess.run(argv, capture_output=True, text=True, timeout=60, env={}, check=False)
        if probe.returncode == 0:
            return None
        return f"bubblewrap cannot create its namespaces here: {probe.stderr.strip()[-500:]}"
    return "bubblewrap could not be started"


def sandbox_problem() -> str | None:
    """Why untrusted code cannot be sandboxed on this host, or None: probed once, for real."""
    return _probe(bwrap_path())


def require_sandbox() -> None:
    problem = sandbox_problem()
    if problem is not None:
        raise SandboxUnavailable(
            f"Free-level model code runs only inside the sandbox, and this host has none: {problem}."
        )


def scrubbed_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Only the allow-listed variables, the sandbox's own paths, and `extra`."""
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(
        PATH="/usr/bin:/bin", HOME=SCRATCH, TMPDIR=SANDBOX_TMP, PYTHONPATH=CODE_DIR,
        PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1", USER="sandbox", LOGNAME="sandbox",
    )  # fmt: skip
    env.update(extra or {})
    return env


def bwrap_argv(
    mounts: Mounts, argv: Sequence[str], bwrap: str | None = None, env: Mapping[str, str] | None = None
) -> list[str]:
    """The bwrap command line that runs argv under `mounts`, with nothing else of the host."""
    args = [bwrap or bwrap_path() or "bwrap", "--unshare-user", "--unshare-pid", "--unshare-net"]
    args += ["--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--uid", "65534", "--gid", "65534"]
    args += ["--hostname", "sandbox", "--cap-drop", "ALL", "--die-with-parent", "--new-session"]
    # A fresh /proc shows this PID namespace only; /tmp is the sandbox's own, in memory.
    args += ["--clearenv", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]  # noqa: S108
    args += _system_mounts() + _python_mounts() + _code_mounts()
    if mounts.gpu:
        args += [
            a for node in sorted(Path("/dev").glob("nvidia*")) for a in ("--dev-bind", str(node), str(node))
        ]
        args += ["--ro-bind-try", "/sys", "/sys"]
    for host, inside in mounts.read_only:
        args += ["--ro-bind", str(host), inside]
    args += ["--bind", str(mounts.scratch), SCRATCH, "--dir", SANDBOX_TMP, "--chdir", SCRATCH]
    for key, value in sorted((env or scrubbed_env()).items()):
        args += ["--setenv", key, value]
    return [*args, "--", *argv]


def _system_mounts() -> list[str]:
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        args += ["--ro-bind-try", path, path]
    return args


def _python_mounts() -> list[str]:
    """The interpreter and its packages, read-only, at the paths sys.executable names."""
    args: list[str] = []
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix)):
        real = os.path.realpath(prefix)
        if real.startswith(("/usr/", "/bin/", "/lib")):
            continue  # already visible through the system directories
        args += ["--ro-bind", real, real]
        if real != prefix:
            args += ["--symlink", real, prefix]
    return args


def _code_mounts() -> list[str]:
    args: list[str] = []
    for relative in CODE_PATHS:
        args += ["--ro-bind", str(REPO_ROOT / relative), f"{CODE_DIR}/{relative}"]
    return args


def _apply_limits(limits: Limits, cpu_seconds: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec; bwrap and all below inherit
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_bytes, limits.file_size_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        if limits.address_space_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limits.address_space_bytes, limits.address_space_bytes))

    return apply


@dataclass
class SandboxProcess:
    """A process in the sandbox that takes JSON messages on stdin and answers with MESSAGE_PREFIX lines."""

    argv: Sequence[str]
    mounts: Mounts
    time_limit_s: float
    limits: Limits = Limits()
    on_line: Callable[[str], None] | None = None
    extra_env: Mapping[str, str] | None = None
    tail: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=TAIL_LINES))

    def __post_init__(self) -> None:
        require_sandbox()
        cpu = self.limits.cpu_seconds or int(self.time_limit_s * (os.cpu_count() or 1)) + 60
        self.deadline = time.monotonic() + self.time_limit_s
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.process = subprocess.Popen(
            bwrap_argv(self.mounts, self.argv, env=scrubbed_env(self.extra_env)),
            env={},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            process_group=0,  # its own group: killpg reaches bwrap, and bwrap's namespace dies with it
            preexec_fn=_apply_limits(self.limits, cpu),  # rlimits must be set in the child, before exec
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.rstrip("\n")
            if line.startswith(MESSAGE_PREFIX):
                with contextlib.suppress(json.JSONDecodeError):
                    message = json.loads(line[len(MESSAGE_PREFIX) :])
                    if isinstance(message, dict):
                        self._messages.put(message)
                        continue
            self.tail.append(line)
            if self.on_line is not None:
                self.on_line(line)
        self._messages.put(None)  # end of output

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise self.error("the sandboxed process stopped reading") from exc

    def receive(
        self, should_stop: Callable[[], bool], deadline: float | None = None
    ) -> dict[str, Any] | None:
        """The next message; None when should_stop() or a deadline came first (the process is killed)."""
        limit = min(self.deadline, deadline) if deadline is not None else self.deadline
        while True:
            if should_stop() or time.monotonic() > limit:
                self.close()
                return None
            try:
                message = self._messages.get(timeout=0.1)
            except queue.Empty:
                continue
            if message is None:
                self.process.wait()
                raise self.error(f"the sandboxed process exited with status {self.process.returncode}")
            return message

    def error(self, why: str) -> SandboxError:
        return SandboxError(f"{why}:\n" + "\n".join(self.tail)[-4000:])

    def close(self) -> None:
        """Kill the sandbox (bwrap's PID namespace dies with it); safe to call more than once."""
        if self.process.poll() is None:  # once reaped, its id may belong to another process
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._reader.join(timeout=5)


def run_sandboxed(
    argv: Sequence[str],
    *,
    scratch: Path,
    time_limit_s: float,
    limits: Limits = Limits(),
    on_line: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    read_only: tuple[tuple[Path, str], ...] = (),
    extra_env: Mapping[str, str] | None = None,
) -> SandboxResult:
    """Run argv in the sandbox to its end (or the limit, or should_stop()); its output is only text."""
    sandboxed = SandboxProcess(argv, Mounts(scratch, read_only), time_limit_s, limits, on_line, extra_env)
    stop = should_stop or (lambda: False)
    stopped = timed_out = False
    while sandboxed.process.poll() is None:
        if stop():
            stopped = True
            break
        if time.monotonic() > sandboxed.deadline:
            timed_out = True
            break
        time.sleep(0.1)
    sandboxed.close()
    return SandboxResult(sandboxed.process.returncode, timed_out, stopped, "\n".join(sandboxed.tail))
