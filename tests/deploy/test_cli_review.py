"""`benchcouncil review ...`: a reviewer's queue, review data and decisions, over the review API."""

from __future__ import annotations

import json

import pytest
from rest_framework.authtoken.models import Token

from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def as_reviewer(cli, reviewer, monkeypatch):
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Reviewers")
    group.permissions.add(Permission.objects.get(codename="change_submission"))
    reviewer.groups.add(group)
    monkeypatch.setenv("BENCHCOUNCIL_TOKEN", Token.objects.create(user=reviewer).key)
    return cli


def test_it_lists_shows_and_decides(as_reviewer, owner, org, reviewer):
    first = make_submission(owner, organization=org, name="first.tar.gz")
    second = make_submission(owner, organization=org, name="second.tar.gz")
    own = make_submission(reviewer, name="own.tar.gz")
    queue = as_reviewer("review", "queue")
    assert queue.code == 0, queue.err
    assert [line.split()[0] for line in queue.out.splitlines()] == [
        str(first.pk),
        str(second.pk),
        str(own.pk),
    ]
    assert "yours or your organization's" in queue.out.splitlines()[2]
    shown = as_reviewer("review", "show", str(first.pk))
    assert shown.code == 0 and f"submission {first.pk}: awaiting_review, first.tar.gz from owner" in shown.out
    decided = as_reviewer(
        "review", "decide", str(first.pk), str(own.pk), "--decision", "approve", "--reason", "Fine."
    )
    assert decided.code == 1  # one of the two was not decided
    assert f"{first.pk}: now published" in decided.out and f"{own.pk}: left as it is" in decided.out
    first.refresh_from_db()
    own.refresh_from_db()
    assert first.status == Status.PUBLISHED and own.status == Status.AWAITING_REVIEW
    assert first.events.last().reason == "Fine."
    as_json = as_reviewer("review", "queue", "--decidable", "--json")
    assert [e["submission"]["id"] for e in json.loads(as_json.out)["results"]] == [str(second.pk)]


def test_it_requests_a_reproduction(as_reviewer, owner, org):
    pending = make_submission(owner, organization=org)
    result = as_reviewer("review", "reproduce", str(pending.pk), "--reason", "Suspiciously fast.")
    assert result.code == 0, result.err
    assert result.out.startswith("reproduction queued as runner job ")
    assert pending.reproduction_checks.get().reason == "Suspiciously fast."


def test_it_refuses_a_submitter(cli, owner, org):
    pending = make_submission(owner, organization=org)
    result = cli("review", "decide", str(pending.pk), "--decision", "approve", "--reason", "Mine.")
    assert result.code == 5 and "Reviewers only" in result.err


def test_a_decision_needs_a_reason(as_reviewer, owner, org):
    pending = make_submission(owner, organization=org)
    assert as_reviewer("review", "decide", str(pending.pk), "--decision", "approve").code == 2
