"""A real two-node Slurm cluster on loopback for the Slurm runner tests, and a runner on it.

The cluster (munged, slurmctld, two slurmd: scripts/slurm_cluster.py) starts once per test
session and every daemon it started is stopped at the end. Where Slurm cannot run (not
installed, not root) these tests are skipped with the reason; in CI (CI=true) that is an
error instead, since CI must run them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from benchcouncil.celery import app as web_app
from runners.models import RunnerHost
from runners.services import runner_host_register
from tests.support.slurm_jobs import drain, wait_for

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import slurm_cluster  # noqa: E402 - scripts/ is put on the path just above


@pytest.fixture(scope="session")
def slurm() -> Iterator[slurm_cluster.Cluster]:
    reason = slurm_cluster.why_unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the Slurm runner tests, but {reason}", pytrace=False)
        pytest.skip(f"Slurm runner tests not run: {reason}")
    cluster = slurm_cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(autouse=True)
def _local_media(media_storage) -> None:
    """Each test stores files in its own folder, so that it can count what it stored."""


@pytest.fixture
def pool() -> str:
    return f"slurm-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def slurm_runner(slurm, settings, live_server, pool, tmp_path) -> Iterator[tuple[RunnerHost, str, Path]]:
    """A Slurm runner host on runner.<pool>, as on a login node, and a web worker; both real.

    Yields the host, its token and the folder where its Slurm jobs live.
    """
    host, token = runner_host_register(name=f"host-{pool}", pool=pool)
    settings.RUNNER_SERVICE_URL = live_server.url
    settings.RUNNER_DEFAULT_POOL = pool
    eager, web_app.conf.task_always_eager = web_app.conf.task_always_eager, False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    drain("default", timeout=0.2)
    jobs_dir = tmp_path / "slurm-jobs"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "RUNNER_SERVICE_URL": live_server.url,
        "RUNNER_HOST_TOKEN": token,
        "RUNNER_HEARTBEAT_INTERVAL_S": "1",
        "RUNNER_WORK_DIR": str(tmp_path / "work"),
        "RUNNER_LAUNCHER": "slurm",
        "SLURM_CONF": str(slurm.conf),
        "RUNNER_SLURM_JOB_DIR": str(jobs_dir),
        "RUNNER_SLURM_POLL_S": "1",
        "RUNNER_SLURM_TIME_GRACE_S": "0",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "runners.worker.celery", "worker",
        "-Q", f"runner.{pool}", "-P", "threads", "--concurrency", "2", "-l", "info",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    log = open(tmp_path / "runner.log", "wb")  # noqa: SIM115 - closed below
    runner = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with start_worker(web_app, queues=["default"], perform_ping_check=False, shutdown_timeout=60):
            wait_for(
                lambda: RunnerHost.objects.get(pk=host.pk).hardware_report is not None,
                120,
                lambda: f"the runner's host report\n{(tmp_path / 'runner.log').read_text()[-3000:]}",
            )
            yield host, token, jobs_dir
    finally:
        web_app.conf.task_always_eager = eager
        os.killpg(runner.pid, signal.SIGTERM)
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
        log.close()
        # Whatever a failed test left in Slurm's queue must not hold the next test's nodes.
        subprocess.run(["scancel", "--partition=debug"], env=slurm.env, capture_output=True, check=False)
