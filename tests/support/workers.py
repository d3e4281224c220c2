"""Real workers for the tests that run jobs end to end: a runner worker process on
runner.<pool>, as on a runner host, and a web worker on the default queue, both on the
configured broker; and waiting on them, and calling the live server as they do."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from celery.contrib.testing.worker import start_worker

from benchcouncil.celery import app as web_app
from runners.models import RunnerHost
from runners.services import runner_host_register
from tests.support.runner_jobs import drain


def wait_for(predicate: Callable[[], Any], timeout: float, what: str | Callable[[], str]) -> Any:
    """Poll `predicate` until it is true; `what` (text, or a function giving it) names the wait."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")


def api_post(url: str, body: dict[str, Any] | None, token: str, expect: int = 201) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - the live server
        url,
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == expect
        data: dict[str, Any] = json.loads(response.read())
        return data


@contextmanager
def running_workers(
    *, settings: Any, live_server: Any, pool: str, tmp_path: Path, env: dict[str, str], pool_args: list[str]
) -> Iterator[tuple[RunnerHost, str]]:
    """A registered runner host's worker process (its environment: the service's, then `env`)
    and a web worker; yields the host once it reported its hardware, and its token.

    The runner is its own process (`celery -A runners.worker.celery`), configured only by its
    environment and talking to the live server over HTTP, exactly as a host is.
    """
    host, token = runner_host_register(name=f"host-{pool}", pool=pool)
    settings.RUNNER_SERVICE_URL = live_server.url
    settings.RUNNER_DEFAULT_POOL = pool
    # Eager off: validation goes through the broker to the web worker, like production. The
    # app's own value is read first: read after the setting changed, a configuration the app
    # had not loaded yet would load it off, and the tests after these would run without eager.
    eager, web_app.conf.task_always_eager = web_app.conf.task_always_eager, False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    drain("default", timeout=0.2)  # what earlier tests left for a web worker, if anything
    runner_env = {
        **os.environ,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "RUNNER_SERVICE_URL": live_server.url,
        "RUNNER_HOST_TOKEN": token,
        "RUNNER_WORK_DIR": str(tmp_path / "work"),
        **env,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "runners.worker.celery", "worker",
        "-Q", f"runner.{pool}", *pool_args, "-l", "info",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    log_path = tmp_path / "runner.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    runner = subprocess.Popen(
        command, env=runner_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    stopping = False
    try:
        with start_worker(web_app, queues=["default"], perform_ping_check=False, shutdown_timeout=60):
            # A host reports its hardware when its worker is up: then it takes jobs.
            wait_for(
                lambda: RunnerHost.objects.get(pk=host.pk).hardware_report is not None,
                120,
                lambda: f"the runner's host report\n{log_path.read_text()[-3000:]}",
            )
            try:
                yield host, token
            finally:
                # Told now, the runner's warm shutdown goes on while the web worker stops.
                os.killpg(runner.pid, signal.SIGTERM)
                stopping = True
    finally:
        web_app.conf.task_always_eager = eager
        if not stopping:
            os.killpg(runner.pid, signal.SIGTERM)
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
        log.close()
