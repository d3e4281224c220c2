"""Fixtures of the end-to-end test: a fresh database, broker vhost, store and process stack.

Each is made for the run and removed after it, whatever the test did:
- PostgreSQL at 127.0.0.1:5432 (E2E_POSTGRES_URL): a new database, dropped at the end;
- RabbitMQ at 127.0.0.1:5672 (E2E_RABBITMQ_URL): a new vhost when rabbitmqctl is at hand
  (then no other consumer on the machine can take this run's messages), else the default one;
- S3: the configured server (CI's SeaweedFS), else one started on loopback (tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tests.support.e2e_processes import Stack

POSTGRES_URL = os.environ.get("E2E_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
RABBITMQ_URL = os.environ.get("E2E_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def database_url(run_id) -> Iterator[str]:
    name = f"benchcouncil_e2e_{run_id}"
    admin_url = POSTGRES_URL.rstrip("/") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield POSTGRES_URL.rstrip("/") + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            # FORCE: a process that outlived the stack must not keep the database alive.
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def broker_url(run_id) -> Iterator[str]:
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is None:
        yield RABBITMQ_URL
        return
    vhost = f"benchcouncil-e2e-{run_id}"
    user = urlsplit(RABBITMQ_URL).username or "guest"

    def ctl(*args: str) -> None:
        subprocess.run([rabbitmqctl, "-q", *args], check=True, capture_output=True, timeout=60)

    ctl("add_vhost", vhost)
    try:
        ctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        parts = urlsplit(RABBITMQ_URL)
        yield urlunsplit((parts.scheme, parts.netloc, f"/{vhost}", "", ""))
    finally:
        ctl("delete_vhost", vhost)


@pytest.fixture
def stack(tmp_path, database_url, broker_url) -> Iterator[Stack]:
    # Depends on the database and vhost so that it is torn down, and its processes stopped,
    # before they are dropped.
    stack = Stack(workdir=tmp_path)
    try:
        yield stack
    finally:
        stack.stop()
