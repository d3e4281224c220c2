"""GET /review/: the queue of submissions awaiting review, for reviewers only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from submissions.review.selectors import is_reviewer
from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


def test_it_lists_only_submissions_awaiting_review(client, reviewer, owner, org):
    waiting = make_submission(owner, organization=org, name="waiting.tar.gz")
    make_submission(owner, organization=org, status=Status.PUBLISHED, name="published.tar.gz")
    make_submission(owner, organization=org, status=Status.INVALID, name="invalid.tar.gz")
    client.force_login(reviewer)
    response = client.get(reverse("review:queue"))
    assert response.status_code == 200
    assert list(response.context["submissions"]) == [waiting]
    assert f"{org.name} — example-cluster".encode() in response.content
    assert b"published.tar.gz" not in response.content


def test_it_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("review:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_submitters_and_staff_outside_the_reviewers_group(client, owner, django_user_model):
    client.force_login(owner)
    assert client.get(reverse("review:queue")).status_code == 403
    staff = django_user_model.objects.create_user("plain-staff", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("review:queue")).status_code == 403


def test_it_lets_superusers_review(client, admin, pending):
    client.force_login(admin)
    assert client.get(reverse("review:queue")).status_code == 200


def test_it_creates_the_reviewers_group_in_a_migration(django_user_model):
    group = Group.objects.get(name="Reviewers")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_submission", "view_statusevent", "add_reproductioncheck"} <= codenames
    assert "delete_submission" not in codenames and "change_statusevent" not in codenames
    staff = django_user_model.objects.create_user("new-reviewer", is_staff=True)
    staff.groups.add(group)
    assert is_reviewer(django_user_model.objects.get(pk=staff.pk))
