"""The beat sweep that queues again submissions stuck in received/validating."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import TestCase
from django.utils import timezone

from submissions.models import Submission
from submissions.services import submission_create, submission_transition
from submissions.states import Status
from submissions.sweeps import submission_sweep_stuck
from submissions.tasks import sweep_stuck_submissions
from tests.support.deploy_examples import VALID_BUNDLE

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _stored(owner, *, status: str = Status.RECEIVED, age: timedelta = HOUR) -> Submission:
    """A stored bundle whose validation task never ran (the on-commit dispatch is dropped)."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        submission, _ = submission_create(
            owner=owner, bundle=io.BytesIO(VALID_BUNDLE.read_bytes()), bundle_name=VALID_BUNDLE.name
        )
    if status == Status.VALIDATING:
        with TestCase.captureOnCommitCallbacks(execute=False):
            submission_transition(submission=submission, to=status, actor=None, reason="Validation started.")
    Submission.objects.filter(pk=submission.pk).update(updated_at=timezone.now() - age)
    return submission


def test_it_validates_again_a_submission_whose_worker_died(owner):
    stuck = _stored(owner, status=Status.VALIDATING)
    with TestCase.captureOnCommitCallbacks(execute=True):
        requeued = submission_sweep_stuck(older_than=timedelta(minutes=30))
    stuck.refresh_from_db()
    assert requeued == [str(stuck.pk)]
    assert stuck.status == Status.AWAITING_REVIEW  # validated again (eager tasks in tests)
    moves = [(e.from_status, e.to_status, e.actor) for e in stuck.events.all()]
    assert moves[1:] == [
        (Status.RECEIVED, Status.VALIDATING, None),
        (Status.VALIDATING, Status.RECEIVED, None),
        (Status.RECEIVED, Status.VALIDATING, None),
        (Status.VALIDATING, Status.AWAITING_REVIEW, None),
    ]
    assert "did not finish within 30 minutes" in stuck.events.all()[2].reason


def test_it_queues_again_a_submission_whose_task_was_lost(owner):
    stuck = _stored(owner, status=Status.RECEIVED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert submission_sweep_stuck(older_than=timedelta(minutes=30)) == [str(stuck.pk)]
    stuck.refresh_from_db()
    assert stuck.status == Status.AWAITING_REVIEW


def test_it_leaves_recent_and_settled_submissions_alone(owner):
    recent = _stored(owner, age=timedelta(minutes=5))
    settled = _stored(owner, age=HOUR)
    Submission.objects.filter(pk=settled.pk).update(status=Status.AWAITING_REVIEW)
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        assert submission_sweep_stuck(older_than=timedelta(minutes=30)) == []
    assert callbacks == []
    recent.refresh_from_db()
    assert recent.status == Status.RECEIVED


def test_a_requeued_submission_waits_a_full_period_before_the_next_sweep(owner):
    stuck = _stored(owner)
    with TestCase.captureOnCommitCallbacks(execute=False):
        assert submission_sweep_stuck(older_than=timedelta(minutes=30)) == [str(stuck.pk)]
        assert submission_sweep_stuck(older_than=timedelta(minutes=30)) == []


def test_the_task_uses_the_configured_age_and_beat_schedules_it(owner):
    stuck = _stored(owner, age=timedelta(minutes=settings.STUCK_SUBMISSION_MINUTES + 1))
    with TestCase.captureOnCommitCallbacks(execute=False):
        assert sweep_stuck_submissions.apply().get() == [str(stuck.pk)]
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"submissions.sweep_stuck", "runners.sweep_lost_jobs"} <= tasks


def test_beat_schedules_only_tasks_a_worker_has():
    from benchcouncil.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(app.tasks) == set()
