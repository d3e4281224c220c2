"""Fixtures of the deployment tests: the `benchcouncil` command run against the live server."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from benchcouncil.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def _local_media(media_storage) -> None:
    """Each test stores files in its own folder, so that it can count what it stored."""


@pytest.fixture
def token(owner: User) -> str:
    return Token.objects.create(user=owner).key


@pytest.fixture
def cli(live_server, token, monkeypatch) -> Callable[..., Result]:
    """Run `benchcouncil ARGS` in this process, configured by its environment variables."""
    monkeypatch.setenv("BENCHCOUNCIL_URL", live_server.url)
    monkeypatch.setenv("BENCHCOUNCIL_TOKEN", token)
    monkeypatch.setenv("BENCHCOUNCIL_BACKOFF", "0.01")

    def run(*args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(args), stdout=out, stderr=err)
        return Result(code, out.getvalue(), err.getvalue())

    return run
