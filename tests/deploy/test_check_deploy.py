"""Production settings pass Django's deployment checklist as configured, with no warnings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from tests.support.deploy_examples import ROOT

# Variables this process has for the tests (DEBUG=1, the test settings) stay out.
DROPPED = ("DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_", "SESSION_", "CSRF_")


def production_env(tmp_path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "benchcouncil.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "rankings.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://rankings.example.org",
        "SITE_URL": "https://rankings.example.org",
        "LOG_FORMAT": "json",
        "BENCHCOUNCIL_VAR_DIR": str(tmp_path),
        **overrides,
    }


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_flags_a_relaxed_setting(tmp_path):
    # The defaults are what make the check pass: turning one off is reported.
    result = check_deploy(production_env(tmp_path, SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0"))
    assert result.returncode == 1
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


def test_it_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = check_deploy(env)
    assert result.returncode == 1
    assert "SECRET_KEY must be set" in result.stderr
