"""Fixtures shared by the whole suite.

A fixed cast of users makes every permission test read the same: `owner` submits for
`org`, `member` belongs to `org` too, `outsider` belongs to `other_org`, `reviewer` is staff,
`admin` is a superuser; `client` stays anonymous.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from submissions.models import Membership, Organization

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(autouse=True)
def _fresh_board_versions() -> Iterator[None]:
    """Each test reads boards afresh: a version remembered from an earlier test's (rolled back)
    data could name a board by the same id."""
    from ranking.cache import forget_versions

    forget_versions()
    yield
    forget_versions()


@pytest.fixture
def org(db) -> Organization:
    return Organization.objects.create(name="Example HPC Centre", slug="example-hpc")


@pytest.fixture
def other_org(db) -> Organization:
    return Organization.objects.create(name="Other Lab", slug="other-lab")


def _user(username: str, *, staff: bool = False, superuser: bool = False) -> User:
    return User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="password",  # noqa: S106 - test users
        is_staff=staff or superuser,
        is_superuser=superuser,
    )


@pytest.fixture
def owner(org) -> User:
    user = _user("owner")
    Membership.objects.create(organization=org, user=user)
    return user


@pytest.fixture
def member(org) -> User:
    user = _user("member")
    Membership.objects.create(organization=org, user=user)
    return user


@pytest.fixture
def outsider(other_org) -> User:
    user = _user("outsider")
    Membership.objects.create(organization=other_org, user=user)
    return user


@pytest.fixture
def reviewer(db) -> User:
    return _user("reviewer", staff=True)


@pytest.fixture
def admin(db) -> User:
    return _user("admin", superuser=True)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def token_client(user: User) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def owner_api(owner) -> APIClient:
    return token_client(owner)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[dict[str, str]]:
    """A real S3-compatible server: the configured one (CI), else SeaweedFS on loopback."""
    if os.environ.get("S3_ENDPOINT_URL") and os.environ.get("S3_BUCKET"):
        yield {
            "endpoint_url": os.environ["S3_ENDPOINT_URL"],
            "bucket": os.environ["S3_BUCKET"],
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
        }
        return
    import seaweedfs

    server = seaweedfs.start(bucket="benchcouncil-test")
    try:
        yield {
            "endpoint_url": server.endpoint_url,
            "bucket": server.bucket,
            "access_key": server.access_key,
            "secret_key": server.secret_key,
        }
    finally:
        server.stop()


@pytest.fixture
def s3_storage(settings, s3_server) -> dict[str, str]:
    """Make the default storage the real S3 server for one test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_server["bucket"],
                "endpoint_url": s3_server["endpoint_url"],
                "access_key": s3_server["access_key"],
                "secret_key": s3_server["secret_key"],
                "region_name": "us-east-1",
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    return s3_server


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch) -> Iterator:
    """Debian's Chromium, driven by playwright (whose own browser download is never used)."""
    from playwright.sync_api import sync_playwright

    # playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # inside one unless told. Only for these tests: it must not leak to subprocesses.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # Close the connections the test's queries opened while playwright ran: left open,
            # they were still sessions on the test database when the run ended and dropped it.
            connections.close_all()
