"""Process management for the end-to-end test: start, wait for, and always stop services.

Every process runs in its own session (process group), with its output in a log file, so
that teardown can stop it and everything it forked, and a failure can show what each said.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
STOP_GRACE_S = 8.0
# The production settings served over plain HTTP on loopback, as behind a TLS proxy on the same
# host: no redirect to HTTPS, no HSTS, and cookies a plain-HTTP client sends back.
PLAIN_HTTP_ENV = {
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self, chars: int = 4000) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[-chars:]


class StackError(AssertionError):
    pass


@dataclass
class Stack:
    """The processes of one test run; `stop()` ends all of them, whatever happened."""

    workdir: Path
    services: list[Service] = field(default_factory=list)
    # Services that must stay up: one of them dying fails a wait at once.
    long_running: set[str] = field(default_factory=set)

    def start(
        self, name: str, command: list[str], env: dict[str, str], *, split_stdout: bool = False
    ) -> Service:
        """Start `command`; its output goes to <name>.log (stdout to <name>.out if split)."""
        log = self.workdir / f"{name}.log"
        out_path = self.workdir / f"{name}.out" if split_stdout else log
        with log.open("wb") as err, out_path.open("ab") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=err if split_stdout else subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(name, process, log)
        self.services.append(service)
        return service

    def run(self, name: str, command: list[str], env: dict[str, str], timeout: float) -> str:
        """Run to completion; its standard output, or a StackError with everything it said."""
        service = self.start(name, command, env, split_stdout=True)
        code = self.wait_until(f"{name} to finish", service.process.poll, timeout=timeout, interval=0.2)
        stdout = (self.workdir / f"{name}.out").read_text(errors="replace")
        if code != 0:
            raise StackError(f"{name} exited {code}:\n{stdout[-2000:]}\n{service.output()}")
        return stdout

    def wait_until(
        self, what: str, check: Callable[[], T | None], timeout: float, interval: float = 0.5
    ) -> T:
        """Poll `check` until it returns a value; fail early when a service died."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value is not None:
                return value
            dead = [s.name for s in self.services if s.name in self.long_running and not s.alive()]
            if dead:
                raise StackError(f"{dead[0]} died while waiting for {what}\n{self.report()}")
            if time.monotonic() > deadline:
                raise StackError(f"timed out after {timeout}s waiting for {what}\n{self.report()}")
            time.sleep(interval)

    def start_long_running(self, name: str, command: list[str], env: dict[str, str]) -> Service:
        self.long_running.add(name)
        return self.start(name, command, env)

    def report(self) -> str:
        return "\n".join(
            f"--- {s.name} (exit {s.process.poll()}) ---\n{s.output(2500)}" for s in self.services
        )

    def stop(self) -> None:
        running = [s for s in self.services if s.alive()]
        for service in running:
            _signal_group(service, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for service in running:
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(service, signal.SIGKILL)
                service.process.wait(timeout=10)
        # Children a service forked (gunicorn and Celery workers) share its process group.
        for service in self.services:
            _signal_group(service, signal.SIGKILL)


def _signal_group(service: Service, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(service.process.pid, sig)
