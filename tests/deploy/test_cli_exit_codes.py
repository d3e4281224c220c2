"""The exit codes a CI job acts on (benchcouncil/client/errors.py, docs/ci.md)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from submissions.models import Submission
from tests.support.deploy_examples import INVALID_BUNDLE, ROOT, VALID_BUNDLE

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_exits_2_without_a_service_url(cli, monkeypatch):
    monkeypatch.delenv("BENCHCOUNCIL_URL")
    result = cli("submit", str(VALID_BUNDLE))
    assert result.code == 2
    assert "BENCHCOUNCIL_URL" in result.err


def test_it_exits_2_on_bad_usage(cli):
    assert cli("submit").code == 2
    assert cli("leaderboard", "hpc-ai500").code == 2
    assert cli("no-such-command").code == 2


def test_it_exits_2_for_a_file_that_is_not_there(cli):
    assert cli("submit", "/nonexistent/bundle.tar.gz").code == 2


def test_it_exits_5_when_the_token_is_wrong(cli, monkeypatch):
    monkeypatch.setenv("BENCHCOUNCIL_TOKEN", "0" * 40)
    result = cli("submit", str(VALID_BUNDLE))
    assert result.code == 5
    assert "HTTP 401" in result.err
    assert not Submission.objects.exists()


def test_it_exits_3_when_the_service_cannot_be_reached_after_retries(cli):
    result = cli("leaderboard", "hpc-ai500", "image-classification", "free",
                 "--url", f"http://127.0.0.1:{_closed_port()}", "--retries", "2")  # fmt: skip
    assert result.code == 3
    assert result.err.count("retrying:") == 2
    assert "failed after 3 attempt(s)" in result.err


def test_it_exits_2_for_an_unknown_submission(cli):
    result = cli("status", str(uuid.uuid4()))
    assert result.code == 2
    assert "HTTP 404" in result.err


def test_it_exits_4_when_the_status_does_not_come_in_time(cli, owner):
    # Stored but never validated: its task was lost, as the stuck-submission sweep expects.
    stuck = Submission.objects.create(
        owner=owner,
        bundle="bundles/x/bundle.tar.gz",
        bundle_name="b.tar.gz",
        bundle_size=1,
        bundle_sha256="0" * 64,
    )
    result = cli("wait", str(stuck.pk), "--timeout", "0.5", "--interval", "0.1")
    assert result.code == 4
    assert f"submission {stuck.pk} is still received" in result.err


def _installed_command() -> list[str]:
    script = Path(sys.executable).with_name("benchcouncil")
    return [str(script)] if script.exists() else [sys.executable, "-m", "benchcouncil.cli"]


def _without_django_settings(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "SECRET", "DEBUG", "DATABASE"))}
    # A settings module that does not exist: loading settings at all would fail.
    return {**env, "DJANGO_SETTINGS_MODULE": "benchcouncil.settings_that_do_not_exist", **extra}


def test_the_installed_command_talks_http_without_django_settings(live_server, token, tmp_path):
    env = _without_django_settings(BENCHCOUNCIL_URL=live_server.url, BENCHCOUNCIL_TOKEN=token)
    submit = subprocess.run(
        [*_installed_command(), "submit", str(VALID_BUNDLE), "--wait", "--interval", "0.2"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    board = subprocess.run(
        [*_installed_command(), "leaderboard", "hpc-ai500", "image-classification", "system", "--csv"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert submit.returncode == 0, submit.stderr
    assert "awaiting_review" in submit.stdout
    assert board.returncode == 0, board.stderr
    assert board.stdout.splitlines()[0].startswith("rank,")


@pytest.mark.parametrize(("bundle", "code"), [(VALID_BUNDLE, 0), (INVALID_BUNDLE, 1)])
def test_check_runs_the_validator_locally_with_its_exit_codes(bundle, code, tmp_path):
    result = subprocess.run(
        [*_installed_command(), "check", str(bundle)],
        env=_without_django_settings(), cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == code, result.stderr
    assert ("VALID" if code == 0 else "INVALID") in result.stdout
