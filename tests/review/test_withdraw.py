"""Withdrawal: POST /review/<uuid>/withdraw/ (web) and POST /api/v1/submissions/{id}/withdraw/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.states import Status
from tests.support.clients import api_as
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


def _web(client, submission, reason="No longer valid."):
    return client.post(reverse("review:withdraw", args=[submission.pk]), {"reason": reason})


def _api(user, submission, reason="No longer valid."):
    return api_as(user).post(
        reverse("api-submission-withdraw", args=[submission.pk]), {"reason": reason}, format="json"
    )


@pytest.mark.parametrize("who", ["owner", "member", "reviewer", "admin"])
def test_it_lets_the_submitting_side_and_staff_withdraw(client, pending, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = _web(client, pending, reason=f"Withdrawn by {who}.")
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:detail", args=[pending.pk])
    pending.refresh_from_db()
    assert pending.status == Status.WITHDRAWN
    event = pending.events.last()
    assert event.actor == user and event.reason == f"Withdrawn by {who}."


def test_it_hides_a_private_submission_from_outsiders(client, outsider, pending):
    client.force_login(outsider)
    assert _web(client, pending).status_code == 404
    assert _api(outsider, pending).status_code == 404
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW


def test_it_forbids_outsiders_on_a_published_submission(client, outsider, owner, org):
    published = make_submission(owner, organization=org, status=Status.PUBLISHED)
    client.force_login(outsider)
    assert _web(client, published).status_code == 403
    assert _api(outsider, published).status_code == 403
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED


def test_it_sends_anonymous_visitors_to_log_in(client, api_client, pending):
    assert _web(client, pending).status_code == 302
    url = reverse("api-submission-withdraw", args=[pending.pk])
    assert api_client.post(url, {"reason": "x"}, format="json").status_code == 401
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW


def test_it_withdraws_through_the_api(owner, pending):
    response = _api(owner, pending, reason="Found a bug in our logging.")
    assert response.status_code == 200
    assert response.json()["status"] == Status.WITHDRAWN
    assert response.json()["url"].endswith(f"/submissions/{pending.pk}/")
    assert pending.events.last().reason == "Found a bug in our logging."


def test_it_requires_a_reason(owner, pending):
    assert _api(owner, pending, reason="").status_code == 400
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW


@pytest.mark.parametrize("state", [Status.REJECTED, Status.WITHDRAWN, Status.SUPERSEDED])
def test_it_answers_409_where_the_state_machine_forbids_it(owner, org, state):
    submission = make_submission(owner, organization=org, status=state)
    response = _api(owner, submission)
    assert response.status_code == 409
    assert response.json()["status"] == state


def test_it_withdraws_a_published_submission(owner, org):
    published = make_submission(owner, organization=org, status=Status.PUBLISHED)
    assert _api(owner, published).status_code == 200
    published.refresh_from_db()
    assert published.status == Status.WITHDRAWN and not published.is_public
