"""`scripts/dev.py` (what `make run` starts) on the embedded defaults, as a real subprocess.

A model submission runs to a result with no step by hand (the stack registers a runner host
and runs the runner worker on its own queue, reporting to the address served), and SIGTERM
or Ctrl-C stops every process it started within 15 s, freeing the port, with no traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.doc_commands import block_with

ROOT = Path(__file__).resolve().parents[2]
STOP_LIMIT_S = 15.0
# The settings that would point the stack at servers: unset, so it runs on embedded defaults.
SERVER_SETTINGS = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "CACHE_URL",
    "SITE_URL",
)


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    url: str
    token: str
    log: Path
    var_dir: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def api(self, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(  # noqa: S310 - the stack on loopback
            self.url + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            method="POST" if body is not None else "GET",
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return json.loads(answer.read())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_for(predicate, timeout: float, what: str, stack: Stack):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if stack.process.poll() is not None:
            break
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{stack.output()[-4000:]}")


@pytest.fixture
def stack(tmp_path) -> Iterator[Stack]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in SERVER_SETTINGS}
    env.update(DEBUG="1", ADDRESS=str(port), BENCHCOUNCIL_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    env["RUNNER_HEARTBEAT_INTERVAL_S"] = "1"
    log = tmp_path / "dev.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "scripts/dev.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    running = Stack(process, f"http://127.0.0.1:{port}", "", log, tmp_path / "var")
    try:
        token = wait_for(
            lambda: re.search(r"API token ([0-9a-f]{40})", running.output()), 120, "the demo token", running
        )
        running.token = token.group(1)
        wait_for(lambda: f"Serving at {running.url}/" in running.output(), 60, "the address", running)
        yield running
    finally:
        if process.poll() is None:
            # dev.py stops what it started; killed outright, it would leave them running.
            stop(running, signal.SIGTERM)
        for pid in processes_of(running):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()


def stop(stack: Stack, sig: signal.Signals) -> float:
    started = time.monotonic()
    stack.process.send_signal(sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        stack.process.wait(timeout=STOP_LIMIT_S + 5)
    return time.monotonic() - started


@pytest.mark.timeout(600)
def test_a_model_submission_runs_to_a_result_and_sigterm_stops_everything(stack):
    # The README's command, as written, with the address and token the stack printed: no job
    # named, so the default smoke job.
    command = block_with("README.md", "benchcouncil model-submit --profile smoke --wait")
    assert command == "BENCHCOUNCIL_TOKEN=$TOKEN .venv/bin/benchcouncil model-submit --profile smoke --wait"
    env = {**os.environ, "BENCHCOUNCIL_URL": stack.url, "TOKEN": stack.token, "PYTHONPATH": str(ROOT)}
    for name in ("BENCHCOUNCIL_TOKEN", "BENCHCOUNCIL_SUITE", "BENCHCOUNCIL_BENCHMARK", "BENCHCOUNCIL_LEVEL"):
        env.pop(name, None)
    answer = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=480, check=False
    )
    assert answer.returncode == 0, (answer.stdout, answer.stderr[-3000:], stack.output()[-3000:])
    found = re.search(r"^submission ([0-9a-f-]{36}): awaiting_review$", answer.stdout, re.MULTILINE)
    assert found, answer.stdout
    assert answer.stderr.startswith(
        "using --suite aibench-training --benchmark learning-to-rank --level hardware "
        "(default for --profile smoke)\n"
    ), answer.stderr
    assert "job running" in answer.stderr and "job finished" in answer.stderr
    submission = stack.api(f"/api/v1/submissions/{found.group(1)}/")
    assert submission["status"] == "awaiting_review", submission["findings"]
    assert submission["provenance"] == "runner_verified"
    assert (submission["suite"], submission["benchmark"], submission["level"], submission["profile"]) == (
        "aibench-training",
        "learning-to-rank",
        "hardware",
        "smoke",
    )
    output = stack.output()
    # The web worker never took the runner's task, and no job secret reached the log.
    assert "unregistered task" not in output and "bcrj" not in output

    assert_stops_cleanly(stack, signal.SIGTERM)


def test_ctrl_c_stops_everything_with_a_job_running(stack):
    job = stack.api(
        "/api/v1/model-submissions/",
        {"suite": "aibench-training", "benchmark": "learning-to-rank", "level": "hardware", "max_epochs": 30},
    )
    wait_for(
        lambda: stack.api(f"/api/v1/model-submissions/{job['id']}/")["status"] == "running",
        120,
        "the job",
        stack,
    )
    assert_stops_cleanly(stack, signal.SIGINT)


def assert_stops_cleanly(stack: Stack, signum: signal.Signals) -> None:
    """``signum`` stops the stack in time, with exit code 0, its port free and nothing left running."""
    port = int(stack.url.rsplit(":", 1)[1])
    took = stop(stack, signum)
    assert stack.process.returncode == 0 and took < STOP_LIMIT_S, (took, stack.output()[-3000:])
    assert port_is_free(port)
    assert "Traceback" not in stack.output()
    assert not processes_of(stack), "processes left running"


def processes_of(stack: Stack) -> list[str]:
    """Processes still running with this stack's var folder in their environment."""
    marker = f"BENCHCOUNCIL_VAR_DIR={stack.var_dir}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(environ.parent.name)
        except OSError:
            continue  # gone, or another user's
    return found
