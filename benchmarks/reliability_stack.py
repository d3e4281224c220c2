"""The processes behind benchmarks/load_test.py and benchmarks/fault_injection.py.

Each script runs the service as production does (gunicorn with docker/gunicorn.conf.py,
DEBUG off, a Celery worker, Redis as the broker, PostgreSQL) on loopback ports of its own.
Redis is always a private redis-server on a free port: the machine's shared Redis is never
touched, let alone shut down. PostgreSQL is either a scratch database on a given server
(load test) or a private cluster made by initdb in a temporary folder (fault injection, which
restarts it). Every process runs in its own process group and is stopped by its own id.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.e2e_processes import PLAIN_HTTP_ENV, free_port  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
EXAMPLES = ROOT / "examples"
FINAL = ("awaiting_review", "invalid", "published", "rejected", "withdrawn")


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            value = predicate()
            if value:
                return value
        time.sleep(every)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class Proc:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        out = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def signal(self, sig: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole group (a worker and its pool children), as a crash would."""
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.signal(signal.SIGTERM)
        if self.process is not None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Stack:
    workdir: Path
    procs: list[Proc] = field(default_factory=list)
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def spawn(self, name: str, command: list[str], env: dict[str, str]) -> Proc:
        proc = Proc(name, command, env, self.workdir / f"{name}.log").start()
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                cleanup()


@contextlib.contextmanager
def stack(keep: bool = False) -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="benchcouncil-reliability-"))
    # The private PostgreSQL runs as the postgres user and must reach its data folder inside.
    os.chmod(workdir, 0o755)  # noqa: S103
    current = Stack(workdir)
    try:
        yield current
    finally:
        current.close()
        if not keep:
            for _ in range(3):  # a process that was just killed may still be closing files
                shutil.rmtree(workdir, ignore_errors=True)
                if not workdir.exists():
                    break
                time.sleep(1)
            else:
                print(f"could not remove {workdir}; remove it by hand", flush=True)


# --- Redis and PostgreSQL ---------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own: no persistence, loopback only, killed and restarted at will."""

    def __init__(self, st: Stack) -> None:
        self.stack, self.port = st, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: Proc | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--protected-mode", "yes"]
        self.proc = self.stack.spawn("redis", command, dict(os.environ))
        wait_for(lambda: _redis_ping(self.port), 15, "redis-server")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()


def _redis_ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"{name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb in the work folder), run as the postgres user."""

    def __init__(self, st: Stack) -> None:
        self.stack, self.port = st, free_port()
        self.data = st.workdir / "pgdata"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/benchcouncil"

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        self._as_postgres(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")
        self.start()
        self.stack.cleanups.append(lambda: self.pg_ctl("stop", "-m", "immediate"))
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE benchcouncil")

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        log = str(self.data / "server.log")
        self._as_postgres(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", *extra, action
        )

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")


def scratch_database(server_url: str, name: str, st: Stack) -> str:
    """A fresh database on a shared server, dropped when the stack closes."""
    admin = server_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    st.cleanups.append(drop)
    return admin.rsplit("/", 1)[0] + f"/{name}"


# --- The service --------------------------------------------------------------------------------


def service_env(st: Stack, database_url: str, broker_url: str, **extra: str) -> dict[str, str]:
    var = st.workdir / "var"
    var.mkdir(exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        # Where the site will listen: runner jobs carry this URL to call back.
        "WEB_PORT": str(port),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DEBUG": "0",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **PLAIN_HTTP_ENV,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "BENCHCOUNCIL_VAR_DIR": str(var),
        "STATIC_ROOT": str(st.workdir / "static"),
        "LOG_LEVEL": "WARNING",
        # One client makes many requests here; the throttles are tested in tests/security.
        "THROTTLE_ANON": "1000000/minute",
        "THROTTLE_USER": "1000000/minute",
        "THROTTLE_UPLOADS": "1000000/minute",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    env.pop("S3_BUCKET", None)
    return {**env, **extra}


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def shell(env: dict[str, str], code: str) -> Any:
    """Run Python in the service's Django; its last printed line is read back as JSON."""
    lines = manage(env, "shell", "-c", code).strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def prepare(env: dict[str, str]) -> None:
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")


SEED = """
import json
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from submissions.models import Organization, Membership
org, _ = Organization.objects.get_or_create(slug="load-org", defaults={{"name": "Load Org"}})
staff = {{"is_staff": True, "is_superuser": True}}
admin, _ = User.objects.get_or_create(username="load-admin", defaults=staff)
tokens = []
for i in range({n}):
    user, _ = User.objects.get_or_create(username=f"submitter{{i}}")
    Membership.objects.get_or_create(organization=org, user=user)
    tokens.append(Token.objects.get_or_create(user=user)[0].key)
print(json.dumps({{"tokens": tokens, "admin_token": Token.objects.get_or_create(user=admin)[0].key}}))
"""


def seed_users(env: dict[str, str], count: int) -> dict[str, Any]:
    return shell(env, SEED.format(n=count))


def start_web(st: Stack, env: dict[str, str], workers: int | None = None) -> int:
    port = int(env["WEB_PORT"])
    command = [str(BIN / "gunicorn"), "-c", "docker/gunicorn.conf.py", "benchcouncil.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}"] + (["--workers", str(workers)] if workers else [])
    st.spawn("gunicorn", command, env)
    wait_for(lambda: get(port, "/healthz")[0] == 200, 60, "gunicorn")
    return port


def start_worker(st: Stack, env: dict[str, str], name: str = "worker") -> Proc:
    command = [str(BIN / "celery"), "-A", "benchcouncil", "worker", "-Q", "default", "-c", "1"]
    command += [
        "-n",
        f"{name}-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "WARNING",
    ]
    return st.spawn(name, command, env)


# --- HTTP ---------------------------------------------------------------------------------------


def get(port: int, path: str, conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def upload(
    port: int, token: str, name: str, data: bytes, key: str | None = None
) -> tuple[int, dict[str, Any]]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="bundle"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Authorization": f"Token {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    if key:
        headers["Idempotency-Key"] = key
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/api/v1/submissions/", body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, {"raw": raw[:200].decode(errors="replace")}
    finally:
        conn.close()


def example_bundles() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(EXAMPLES.glob("*.tar.gz"))]


# --- What the database says -------------------------------------------------------------------


def submissions_state(database_url: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each submission's status, stored bundle, sha256 and its last status change's reason."""
    if not ids:
        return {}
    sql = """
        SELECT s.id::text, s.status, s.bundle, s.bundle_sha256,
               (SELECT e.reason FROM submissions_statusevent e WHERE e.submission_id = s.id
                ORDER BY e.id DESC LIMIT 1)
        FROM submissions_submission s WHERE s.id::text = ANY(%s)
    """
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(sql, (ids,)).fetchall()
    return {r[0]: {"status": r[1], "bundle": r[2], "sha256": r[3], "reason": r[4]} for r in rows}


def bundle_intact(media_root: Path, row: dict[str, Any]) -> bool:
    path = media_root / row["bundle"]
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]


def count_rows(database_url: str, sql: str, params: tuple[Any, ...] = ()) -> int:
    with psycopg.connect(database_url) as conn:
        return int(conn.execute(sql, params).fetchone()[0])


def sweep_stuck(env: dict[str, str], older_than_s: float) -> list[str]:
    code = (
        "import json; from datetime import timedelta; "
        "from submissions.sweeps import submission_sweep_stuck; "
        f"print(json.dumps(submission_sweep_stuck(older_than=timedelta(seconds={older_than_s}))))"
    )
    return shell(env, code)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"
