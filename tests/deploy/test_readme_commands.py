"""The README's commands, run as written: a reviewer made on the embedded defaults, the curl
flow against a live server (its `$ID` taken from the 202 answer), and the local check."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from submissions.models import Submission
from submissions.states import Status
from tests.support.doc_commands import ROOT, block_with

README = "README.md"
# Settings that would point manage.py at servers, or give it a secret key it must do without.
SERVER_SETTINGS = ("DATABASE_URL", "CELERY_BROKER_URL", "S3_BUCKET", "CACHE_URL", "SECRET_KEY", "DEBUG")


def bash(script: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def embedded_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_SETTINGS and k != "DJANGO_SETTINGS_MODULE"}
    return {**env, "BENCHCOUNCIL_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT)}


def test_the_reviewer_command_makes_a_reviewer_without_a_secret_key(tmp_path):
    env = embedded_env(tmp_path)
    migrated = bash("DEBUG=1 .venv/bin/python manage.py migrate --no-input -v 0", env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    command = block_with(README, "createsuperuser")
    made = bash(command, env)
    assert made.returncode == 0, made.stderr[-2000:]
    check = (
        "DEBUG=1 .venv/bin/python manage.py shell -c "
        '"from django.contrib.auth.models import User; from submissions.review.selectors import is_reviewer; '
        "print(is_reviewer(User.objects.get(username='reviewer')))\""
    )
    assert bash(check, env).stdout.strip().splitlines()[-1] == "True"


def test_without_debug_manage_py_says_what_is_missing_without_a_traceback(tmp_path):
    env = embedded_env(tmp_path)
    answer = bash(".venv/bin/python manage.py check", env)
    assert answer.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off" in answer.stderr and "DEBUG=1" in answer.stderr
    assert "Traceback" not in answer.stderr


@pytest.mark.django_db(transaction=True)
def test_the_curl_flow_takes_the_id_from_the_answer(live_server, token, tmp_path):
    upload = block_with(README, "ID=$(curl")
    follow = block_with(README, '/api/v1/submissions/$ID/"')
    env = {**os.environ, "BENCHCOUNCIL_URL": live_server.url, "TOKEN": token}
    answer = bash(f"{upload}\n{follow}", env)
    assert answer.returncode == 0, answer.stderr
    submission = json.loads(answer.stdout)
    assert submission["status"] == Status.AWAITING_REVIEW
    assert str(Submission.objects.get().pk) == submission["id"]


def test_the_local_check_passes_the_example(tmp_path):
    answer = bash(block_with(README, "benchcouncil check"), {**os.environ, "PYTHONPATH": str(ROOT)})
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "rules.not_converged" in answer.stdout
