"""Fixtures of the review tests: reviewers are staff in the Reviewers group, as in production."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User

from submissions.models import Membership, Submission
from submissions.states import Status

from .factories import make_submission

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def reviewer(db) -> User:
    user = User.objects.create_user(
        "reviewer",
        email="reviewer@example.org",
        password="password",  # noqa: S106 - test users
        is_staff=True,
    )
    group, created = Group.objects.get_or_create(name="Reviewers")
    if created:
        # A transactional test flushed the data migration's rows: give the group its permissions again.
        # The migration names the models' apps of its day; their content types moved since
        # (the catalogue's models, reproduction checks), so the codenames are looked up alone.
        migration = importlib.import_module(
            "submissions.migrations.0001_squashed_0004_run_log_digest_and_bundle_digest_index"
        )
        codenames = [codename for names in migration.PERMISSIONS.values() for codename in names]
        group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    user.groups.add(group)
    return user


@pytest.fixture
def manager(org) -> User:
    user = User.objects.create_user("manager", email="manager@example.org", password="password")  # noqa: S106
    Membership.objects.create(organization=org, user=user, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def pending(owner, org) -> Submission:
    """A submission of `owner` for `org`, validated and awaiting review."""
    return make_submission(owner, organization=org, status=Status.AWAITING_REVIEW)


@pytest.fixture
def example_bundle() -> bytes:
    return (EXAMPLES / "hpc-ai500-image-classification-system.tar.gz").read_bytes()
