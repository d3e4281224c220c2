"""Fixtures shared by the whole suite.

A fixed cast of users makes every permission test read the same, one meaning each: `client`
and `api_client` stay anonymous; `owner` submits for `org`; `member` belongs to `org` too;
`manager` administers `org`; `outsider` belongs to `other_org`; `reviewer` is staff in the
Reviewers group, as reviewers are in production; `admin` is a superuser.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connections
from rest_framework.test import APIClient

from submissions.models import Membership, Organization
from tests.support.clients import api_as
from tests.support.factories import MembershipFactory, OrganizationFactory, UserFactory, reviewers_group

# One intra-op thread for torch here and in every process the suite starts (runner workers,
# the dev stack, sandboxed training), set before torch is first imported: the suite shares a
# few cores with its own servers, and torch's threads spinning against them make a smoke job
# several times slower.
os.environ.setdefault("OMP_NUM_THREADS", "1")

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
    return OrganizationFactory(name="Example HPC Centre", slug="example-hpc")


@pytest.fixture
def other_org(db) -> Organization:
    return OrganizationFactory(name="Other Lab", slug="other-lab")


@pytest.fixture
def owner(org) -> User:
    return MembershipFactory(organization=org, user__username="owner").user


@pytest.fixture
def member(org) -> User:
    return MembershipFactory(organization=org, user__username="member").user


@pytest.fixture
def manager(org) -> User:
    membership = MembershipFactory(organization=org, user__username="manager", role=Membership.Role.MANAGER)
    return membership.user


@pytest.fixture
def outsider(other_org) -> User:
    return MembershipFactory(organization=other_org, user__username="outsider").user


@pytest.fixture
def reviewer(db) -> User:
    user = UserFactory(username="reviewer", staff=True)
    user.groups.add(reviewers_group())
    return user


@pytest.fixture
def admin(db) -> User:
    return UserFactory(username="admin", superuser=True)


@pytest.fixture
def pool() -> str:
    """A runner pool of the test's own: what the test reads from the broker is what it sent."""
    return f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def owner_api(owner) -> APIClient:
    return api_as(owner)


@pytest.fixture
def media_storage(settings, tmp_path) -> Path:
    """Store files in the test's own folder (returned), so that it can count what it stored."""
    media = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    return media


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
