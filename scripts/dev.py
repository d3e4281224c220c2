"""Serve the site for development: migrate, then runserver, a web worker and a runner worker.

- The web worker (benchcouncil's Celery app) takes the web tier's queue only: the runner
  queues' task is not registered in that app.
- The runner worker (runners.worker.celery) takes `runner.<pool>` as a runner host does,
  registered as the host `dev-local` with a token issued at each start; a model submission
  runs to a result with no step by hand.
- SITE_URL (and so the address jobs report back to) follows the address served, ADDRESS
  (default 127.0.0.1:8000), unless set.

On the embedded defaults all of them meet through kombu's filesystem transport under
var/broker/ and need no broker server. SIGTERM or Ctrl-C stops every process (runserver's
autoreloader child included) within STOP_TIMEOUT_S.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = [PYTHON, "manage.py"]
STOP_TIMEOUT_S = 12.0
WEB_QUEUES = "default"


def main() -> int:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchcouncil.settings")
    address = served_address(os.environ.get("ADDRESS", "127.0.0.1:8000"))
    os.environ.setdefault("SITE_URL", site_url(address))
    pool = os.environ.get("RUNNER_DEFAULT_POOL", "default")
    stop = stop_on_signals()
    try:
        _step([*MANAGE, "migrate", "--no-input", "-v", "1"])
        _step([*MANAGE, "dev_bootstrap"])
        token = _step([*MANAGE, "dev_runner_host", "--pool", pool], capture=True).strip()
    except subprocess.CalledProcessError as exc:
        return exc.returncode
    if stop.is_set():
        return 0
    processes = {
        "web worker": _start(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "benchcouncil",
                "worker",
                "-n",
                "web@%h",
                "-l",
                "info",
                "-Q",
                web_queues(),
                "-c",
                "2",
            ]
        ),
        "runner worker": _start(runner_worker_command(pool), env=runner_env(token)),
        "web server": _start([*MANAGE, "runserver", address]),
    }
    code, announced = 0, False
    while not stop.wait(0.5):
        if not announced and answers(address):
            # Said once the server answers, so the address printed can be used at once.
            print(f"Serving at {os.environ['SITE_URL']}/ (runner host dev-local, pool {pool}); Ctrl-C stops.")
            announced = True
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"The {name} exited ({process.returncode}); stopping the others.", file=sys.stderr)
                code = process.returncode or 1
                stop.set()
    stop_all(processes)
    return code


def served_address(raw: str) -> str:
    """runserver's address as host:port; a bare port is served on loopback."""
    return f"127.0.0.1:{raw}" if raw.isdigit() else raw


def site_url(address: str) -> str:
    host, _, port = address.rpartition(":")
    # An address that listens everywhere is reached, from this machine, on loopback.
    if host in ("", "0.0.0.0", "0", "[::]"):  # noqa: S104 - naming the wildcard, not binding it
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def answers(address: str) -> bool:
    """Whether the web server accepts connections yet, at the address SITE_URL names."""
    host, _, port = site_url(address).removeprefix("http://").rpartition(":")
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, int(port))) == 0


def web_queues() -> str:
    """WORKER_QUEUES without runner queues, whose task only a runner worker has."""
    queues = [q.strip() for q in os.environ.get("WORKER_QUEUES", WEB_QUEUES).split(",") if q.strip()]
    kept = [q for q in queues if not q.startswith("runner.")]
    if kept != queues:
        print("WORKER_QUEUES: runner queues are left to the runner worker.", file=sys.stderr)
    return ",".join(kept) or WEB_QUEUES


def runner_worker_command(pool: str) -> list[str]:
    # One job at a time, as on a host with one set of accelerators.
    return [
        PYTHON, "-m", "celery", "-A", "runners.worker.celery", "worker", "-n", "runner@%h",
        "-Q", f"runner.{pool}", "-P", "solo", "-l", "info",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip


def runner_env(token: str) -> dict[str, str]:
    env = {**os.environ, "RUNNER_HOST_TOKEN": token, "RUNNER_SERVICE_URL": os.environ["SITE_URL"]}
    env.setdefault(
        "RUNNER_WORK_DIR", str(Path(os.environ.get("BENCHCOUNCIL_VAR_DIR", ROOT / "var")) / "runner")
    )
    Path(env["RUNNER_WORK_DIR"]).mkdir(parents=True, exist_ok=True)
    return env


def stop_on_signals() -> threading.Event:
    """An event set by SIGINT (Ctrl-C) or SIGTERM, instead of an exception mid-way."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _step(command: list[str], capture: bool = False) -> str:
    # Its own session, so a Ctrl-C meant for the stack does not cut a migration short.
    output = subprocess.PIPE if capture else None
    done = subprocess.run(command, check=True, start_new_session=True, stdout=output, text=True)
    return done.stdout or ""


def _start(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    # Each in its own process group, so that a stop reaches every process it started.
    return subprocess.Popen(command, env=env, start_new_session=True)


def stop_all(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGINT to runserver, SIGTERM (warm shutdown) to the workers, then SIGKILL to what is left."""
    running = [p for p in processes.values() if p.poll() is None]
    for name, process in processes.items():
        if process not in running:
            continue
        if name == "web server":
            _signal_group(process, signal.SIGINT)  # the autoreloader and the server it runs
        else:
            process.send_signal(signal.SIGTERM)  # a worker stops its own pool processes
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
    for process in running:
        # Whatever the group still holds (runserver's autoreloader child) goes with it.
        _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


if __name__ == "__main__":
    sys.exit(main())
