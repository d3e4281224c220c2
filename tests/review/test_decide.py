"""POST /review/<uuid>/decide/: approve, reject, request changes, supersede, withdraw (reviewers)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from submissions.models import StatusEvent
from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db

OUTCOMES = {
    "approve": Status.PUBLISHED,
    "reject": Status.REJECTED,
    "request_changes": Status.CHANGES_REQUESTED,
    "supersede": Status.SUPERSEDED,
    "withdraw": Status.WITHDRAWN,
}


def _decide(client, submission, decision, reason="Checked the logs.", public=True):
    data = {"decision": decision, "reason": reason}
    if public:
        data["public"] = "on"
    return client.post(reverse("review:decide", args=[submission.pk]), data)


@pytest.mark.parametrize("decision", list(OUTCOMES))
def test_it_moves_the_submission_and_logs_who_and_why(client, reviewer, pending, decision):
    client.force_login(reviewer)
    response = _decide(client, pending, decision, reason=f"Decision: {decision}.")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == OUTCOMES[decision]
    event = pending.events.last()
    assert (event.from_status, event.to_status) == (Status.AWAITING_REVIEW, OUTCOMES[decision])
    assert event.actor == reviewer and event.reason == f"Decision: {decision}." and event.public


def test_it_sets_the_publication_time_on_approval(client, reviewer, pending):
    client.force_login(reviewer)
    _decide(client, pending, "approve")
    pending.refresh_from_db()
    assert pending.published_at is not None and pending.is_public


def test_it_requires_a_reason(client, reviewer, pending):
    client.force_login(reviewer)
    response = _decide(client, pending, "approve", reason="   ")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW
    assert not pending.events.filter(to_status=Status.PUBLISHED).exists()


def test_it_records_a_staff_only_note(client, reviewer, pending):
    client.force_login(reviewer)
    _decide(client, pending, "reject", reason="Internal: the same logs as last year.", public=False)
    assert pending.events.last().public is False


@pytest.mark.parametrize("state", [Status.REJECTED, Status.WITHDRAWN, Status.SUPERSEDED, Status.VALIDATING])
def test_it_refuses_decisions_the_state_machine_forbids(client, reviewer, owner, org, state):
    submission = make_submission(owner, organization=org, status=state)
    events = submission.events.count()
    client.force_login(reviewer)
    response = _decide(client, submission, "approve")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == state and submission.events.count() == events
    assert "cannot move" in str(list(response.wsgi_request._messages)[0])


def test_it_lets_a_reviewer_supersede_a_published_submission(client, reviewer, owner, org):
    submission = make_submission(owner, organization=org, status=Status.PUBLISHED)
    client.force_login(reviewer)
    _decide(client, submission, "supersede", reason="A newer result replaces it.")
    submission.refresh_from_db()
    assert submission.status == Status.SUPERSEDED


@pytest.mark.parametrize("who", ["owner", "member", "outsider"])
def test_it_forbids_non_reviewers(client, pending, who, request):
    client.force_login(request.getfixturevalue(who))
    assert _decide(client, pending, "approve").status_code == 403
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW


def test_it_sends_anonymous_visitors_to_log_in(client, pending):
    assert _decide(client, pending, "approve").status_code == 302
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW


def test_it_accepts_only_post(client, reviewer, pending):
    client.force_login(reviewer)
    assert client.get(reverse("review:decide", args=[pending.pk])).status_code == 405


def test_it_mails_the_submitter_with_the_reason(
    client, reviewer, pending, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, pending, "reject", reason="Run 2 never reached the target.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.org"]
    assert "Rejected" in message.subject
    assert "Run 2 never reached the target." in message.body
    assert f"/submissions/{pending.pk}/" in message.body


def test_it_keeps_a_staff_only_note_out_of_the_mail(
    client, reviewer, pending, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, pending, "reject", reason="Internal: suspicious.", public=False)
    assert len(mail.outbox) == 1
    assert "Internal: suspicious." not in mail.outbox[0].body


def test_it_keeps_the_history_append_only(client, reviewer, pending):
    client.force_login(reviewer)
    before = list(StatusEvent.objects.filter(submission=pending).values_list("pk", "to_status"))
    _decide(client, pending, "request_changes", reason="Add the fifth run.")
    after = list(StatusEvent.objects.filter(submission=pending).values_list("pk", "to_status"))
    assert after[: len(before)] == before and after[-1][1] == Status.CHANGES_REQUESTED
