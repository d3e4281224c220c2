"""A real two-node Slurm cluster on loopback for the Slurm runner tests, and a runner on it.

The cluster (munged, slurmctld, two slurmd: scripts/slurm_cluster.py) starts once per test
session and every daemon it started is stopped at the end. Where Slurm cannot run (not
installed, not root) these tests are skipped with the reason; in CI (CI=true) that is an
error instead, since CI must run them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from runners.models import RunnerHost
from tests.support.workers import running_workers

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
def slurm_runner(slurm, settings, live_server, pool, tmp_path) -> Iterator[tuple[RunnerHost, str, Path]]:
    """A Slurm runner host on runner.<pool>, as on a login node, and a web worker; both real.

    Yields the host, its token and the folder where its Slurm jobs live.
    """
    jobs_dir = tmp_path / "slurm-jobs"
    env = {
        "RUNNER_HEARTBEAT_INTERVAL_S": "1",
        "RUNNER_LAUNCHER": "slurm",
        "SLURM_CONF": str(slurm.conf),
        "RUNNER_SLURM_JOB_DIR": str(jobs_dir),
        "RUNNER_SLURM_POLL_S": "1",
        "RUNNER_SLURM_TIME_GRACE_S": "0",
        "PYTHONPATH": str(ROOT),
    }
    try:
        with running_workers(
            settings=settings,
            live_server=live_server,
            pool=pool,
            tmp_path=tmp_path,
            env=env,
            pool_args=["-P", "threads", "--concurrency", "2"],
        ) as (host, token):
            yield host, token, jobs_dir
    finally:
        # Whatever a failed test left in Slurm's queue must not hold the next test's nodes.
        subprocess.run(["scancel", "--partition=debug"], env=slurm.env, capture_output=True, check=False)
