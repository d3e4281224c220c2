"""An email to the submitter on every status change, sent by a Celery task after commit."""

from __future__ import annotations

import pytest
from django.core import mail

from benchcouncil.task_names import NOTIFY_STATUS_CHANGE
from submissions.notifications import notify_status_change
from submissions.services import submission_transition
from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


def test_it_mails_every_status_change_the_service_makes(owner, org, django_capture_on_commit_callbacks):
    submission = make_submission(owner, organization=org, status=Status.RECEIVED)
    with django_capture_on_commit_callbacks(execute=True):
        submission_transition(
            submission=submission, to=Status.VALIDATING, actor=None, reason="Validation started."
        )
    with django_capture_on_commit_callbacks(execute=True):
        submission_transition(submission=submission, to=Status.INVALID, actor=None, reason="2 error(s).")
    assert [m.subject for m in mail.outbox] == [
        # named as the result is named everywhere: organization — system
        f"[BenchCouncil Rankings] {org.name} — example-cluster: Validating",
        f"[BenchCouncil Rankings] {org.name} — example-cluster: Invalid",
    ]
    assert "from Validating to Invalid" in mail.outbox[1].body and "2 error(s)." in mail.outbox[1].body


def test_it_sends_nothing_before_the_change_commits(owner, org, django_capture_on_commit_callbacks):
    submission = make_submission(owner, organization=org)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission_transition(submission=submission, to=Status.PUBLISHED, actor=None, reason="Approved.")
    assert mail.outbox == [] and len(callbacks) >= 1


def test_it_skips_owners_without_an_address(owner, org, django_capture_on_commit_callbacks):
    owner.email = ""
    owner.save()
    submission = make_submission(owner, organization=org)
    with django_capture_on_commit_callbacks(execute=True):
        submission_transition(submission=submission, to=Status.PUBLISHED, actor=None, reason="Approved.")
    assert mail.outbox == []


def test_it_goes_through_a_named_celery_task(pending):
    assert notify_status_change.name == NOTIFY_STATUS_CHANGE
    submission_transition(submission=pending, to=Status.PUBLISHED, actor=None, reason="Approved.")
    notify_status_change.delay(pending.events.last().pk)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.org"]
