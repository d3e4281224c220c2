"""The production shape end to end, without Docker.

gunicorn serves the site (DEBUG off, whitenoise static files, JSON logs) on PostgreSQL,
RabbitMQ and SeaweedFS; a Celery worker and a smoke runner run as their own processes. The
`benchcouncil` command submits an example bundle and a model submission over HTTP, the way a
CI job would; a reviewer approves both in the review pages; both reach their leaderboards.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.support.e2e_processes import PLAIN_HTTP_ENV, ROOT, Stack, free_port
from tests.support.e2e_staff_session import StaffSession

pytestmark = pytest.mark.e2e

BUNDLE = ROOT / "examples" / "hpc-ai500-image-classification-system.tar.gz"
BUNDLE_BOARD = ("hpc-ai500", "image-classification", "system")
# The smallest real training the runner does: ResNet-18 (free level) on the smoke data set.
MODEL_REQUEST = [
    *("--suite", "aibench-training", "--benchmark", "image-classification", "--level", "free"),
    *("--model", "resnet18", "--profile", "smoke"),
]
MODEL_BOARD = ("aibench-training", "image-classification", "free")
BIN = Path(sys.executable).parent
# The installed command, as a CI job runs it.
CLI = (
    [str(BIN / "benchcouncil")]
    if (BIN / "benchcouncil").exists()
    else [sys.executable, "-m", "benchcouncil.cli"]
)
ADMIN_PASSWORD = secrets.token_urlsafe(16)
# Variables of this test process (pytest-django's test settings) that the stack must not see.
PRIVATE = ("DEBUG", "DJANGO_", "DATABASE_URL", "CELERY_", "S3_", "SECRET_KEY", "BENCHCOUNCIL_", "RUNNER_")

SUBMITTER = """
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from submissions.models import Membership, Organization
user = User.objects.create_user("ci-bot", "ci@example.org")
org = Organization.objects.create(name="E2E Lab", slug="e2e-lab")
Membership.objects.create(organization=org, user=user)
print("TOKEN", Token.objects.create(user=user).key)
"""


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE)}


def server_env(
    tmp: Path, *, port: int, database_url: str, broker_url: str, s3: dict, pool: str
) -> dict[str, str]:
    site = f"http://127.0.0.1:{port}"
    return {
        **_base_env(),
        "DJANGO_SETTINGS_MODULE": "benchcouncil.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": site,
        "SITE_URL": site,
        **PLAIN_HTTP_ENV,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "S3_BUCKET": s3["bucket"],
        "S3_ENDPOINT_URL": s3["endpoint_url"],
        "S3_ACCESS_KEY_ID": s3["access_key"],
        "S3_SECRET_ACCESS_KEY": s3["secret_key"],
        "STATIC_ROOT": str(tmp / "static"),
        "BENCHCOUNCIL_VAR_DIR": str(tmp / "var"),
        "LOG_FORMAT": "json",
        "RUNNER_SERVICE_URL": site,
        "RUNNER_DEFAULT_POOL": pool,
        "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
    }


def _http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def test_a_bundle_and_a_model_submission_reach_the_leaderboards(
    stack: Stack, tmp_path, database_url, broker_url, s3_server
):
    started = time.monotonic()
    timings: dict[str, float] = {}
    port, pool = free_port(), f"e2e-{secrets.token_hex(4)}"
    site = f"http://127.0.0.1:{port}"
    env = server_env(
        tmp_path, port=port, database_url=database_url, broker_url=broker_url, s3=s3_server, pool=pool
    )
    token, host_token = _set_up(stack, env, pool)
    timings["set-up"] = time.monotonic() - started

    _start_roles(
        stack, env, port=port, runner_env=_runner_env(tmp_path, site, broker_url, host_token), pool=pool
    )
    stack.wait_until(
        "/readyz to answer 200", lambda: _http_status(f"{site}/readyz") == 200 or None, timeout=60
    )
    timings["services up"] = time.monotonic() - started

    # A CI job: the model submission is followed in the background while the bundle is sent.
    cli_env = {**_base_env(), "BENCHCOUNCIL_URL": site, "BENCHCOUNCIL_TOKEN": token}
    follow = ["--organization", "e2e-lab", "--wait", "--json"]
    model_command = [*CLI, "model-submit", *MODEL_REQUEST, *follow, "--interval", "1", "--timeout", "150"]
    model = stack.start("cli-model-submit", model_command, cli_env, split_stdout=True)
    submit_command = [*CLI, "submit", str(BUNDLE), *follow, "--interval", "0.5", "--timeout", "60"]
    bundle = json.loads(stack.run("cli-submit", submit_command, cli_env, timeout=90))
    assert bundle["status"] == "awaiting_review", bundle
    timings["bundle validated"] = time.monotonic() - started

    reviewer = StaffSession(site)
    reviewer.log_in("admin", ADMIN_PASSWORD)
    reviewer.approve(bundle["id"], "Logs, system description and figures agree.")

    stack.wait_until("the model submission to be validated", lambda: model.process.poll(), timeout=160)
    assert model.process.returncode == 0, f"{model.output()}\n{stack.report()}"
    followed = json.loads((tmp_path / "cli-model-submit.out").read_text())
    job, produced = followed["job"], followed["submission"]
    assert job["status"] == "finished" and produced["status"] == "awaiting_review", followed
    assert produced["provenance"] == "runner_verified" and produced["profile"] == "smoke"
    timings["model run and validated"] = time.monotonic() - started
    reviewer.approve(produced["id"], "Runner-verified smoke run.")

    # Both are ranked: read the boards back with the command, as JSON. A board is recomputed by
    # the worker after the approval commits, so the latest one is awaited, not read at once.
    _ranked(stack, cli_env, [bundle["id"]], *BUNDLE_BOARD)
    smoke = _ranked(stack, cli_env, [produced["id"]], *MODEL_BOARD, "--profile", "smoke")
    assert smoke["results"][0]["provenance"] == "runner_verified"
    timings["ranked"] = time.monotonic() - started

    # Production details: hashed static files from whitenoise, JSON log lines with request ids.
    _, page = reviewer.get("/")
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the pages link the hashed names collectstatic made"
    with urllib.request.urlopen(site + stylesheet.group(1), timeout=10) as answer:  # noqa: S310 - loopback
        assert answer.status == 200 and "immutable" in answer.headers["Cache-Control"]
    assert _logged_request(stack, "POST", "/api/v1/submissions/")

    # PostgreSQL drops every connection (a restart, a failover): the web threads' persistent
    # connections are dead, and the next reads of a board on them are still answered.
    board_page = f"{site}/leaderboards/{'/'.join(BUNDLE_BOARD)}/"
    assert [_http_status(board_page) for _ in range(12)] == [200] * 12
    assert _drop_connections(database_url) > 0
    assert [_http_status(board_page) for _ in range(24)] == [200] * 24
    print("timings (s):", {name: round(t, 1) for name, t in timings.items()})


def _drop_connections(database_url: str) -> int:
    """Terminate every session on the run's database, as a server restart would."""
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


def _set_up(stack: Stack, env: dict[str, str], pool: str) -> tuple[str, str]:
    """What docs/deployment.md describes: static files, migrations, an admin, a runner host.

    Returns the submitter's API token and the runner host's token.
    """
    manage = [sys.executable, "manage.py"]
    static = stack.start("collectstatic", [*manage, "collectstatic", "--noinput", "-v", "0"], env)
    stack.run("migrate", [*manage, "migrate", "--noinput"], env, timeout=120)
    admin = [*manage, "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.org"]
    stack.start("createsuperuser", admin, env)
    host = stack.start(
        "register", [*manage, "register_runner_host", "e2e-gpu", "--pool", pool], env, split_stdout=True
    )
    token = stack.run("submitter", [*manage, "shell", "-c", SUBMITTER], env, timeout=60).split("TOKEN ", 1)[1]
    for service in stack.services[:]:
        if service.name in ("collectstatic", "createsuperuser", "register"):
            assert service.process.wait(timeout=60) == 0, service.output()
    assert static.process.returncode == 0
    host_token = (stack.workdir / f"{host.name}.out").read_text().strip()
    return token.strip(), host_token


def _runner_env(tmp: Path, site: str, broker_url: str, host_token: str) -> dict[str, str]:
    # A runner host has no database and no Django settings: the broker, and HTTP to the site.
    (tmp / "runner").mkdir()
    return {
        **_base_env(),
        "CELERY_BROKER_URL": broker_url,
        "RUNNER_SERVICE_URL": site,
        "RUNNER_HOST_TOKEN": host_token,
        "RUNNER_WORK_DIR": str(tmp / "runner"),
        "RUNNER_HEARTBEAT_INTERVAL_S": "5",
    }


def _start_roles(
    stack: Stack, env: dict[str, str], *, port: int, runner_env: dict[str, str], pool: str
) -> None:
    # The web image's configuration, on a loopback port.
    gunicorn = [str(BIN / "gunicorn"), "-c", "docker/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    stack.start_long_running("web", [*gunicorn, "--workers", "2", "benchcouncil.wsgi:application"], env)
    celery = [sys.executable, "-m", "celery", "-A"]
    # Node names of their own: two workers on one host may not share the default celery@host.
    worker = [*celery, "benchcouncil", "worker", "-n", "worker@%h", "-Q", "default", "-c", "1", "-P", "solo"]
    stack.start_long_running("worker", worker, env)
    runner = [
        *celery,
        "runners.worker.celery",
        "worker",
        "-n",
        "runner@%h",
        "-Q",
        f"runner.{pool}",
        "-c",
        "1",
    ]
    stack.start_long_running("runner", runner, runner_env)


def _ranked(stack: Stack, env: dict[str, str], submission_ids: list[str], *args: str) -> dict:
    """The board as the command prints it, once it lists exactly these results."""
    name = "cli-leaderboard-" + "-".join(args[:3])

    def listed() -> dict | None:
        board = json.loads(stack.run(name, [*CLI, "leaderboard", *args, "--json"], env, timeout=60))
        return board if [row["submission_id"] for row in board["results"]] == submission_ids else None

    return stack.wait_until(f"{name} to list {submission_ids}", listed, timeout=60, interval=1)


def _logged_request(stack: Stack, method: str, path: str) -> bool:
    """Every line the web tier wrote is JSON, and the request was logged with its id."""
    web = next(s for s in stack.services if s.name == "web")
    entries = [json.loads(line) for line in web.log.read_text().splitlines() if line.strip()]
    assert any(entry["logger"] == "gunicorn.error" for entry in entries)
    return any(
        (entry.get("method"), entry.get("path")) == (method, path) and len(entry.get("request_id", "")) == 32
        for entry in entries
    )
