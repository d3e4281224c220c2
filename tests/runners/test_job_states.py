"""The job state machine: allowed moves, refused moves, and the append-only history."""

from __future__ import annotations

import pytest

from runners.models import Job, JobEvent
from runners.services import job_transition
from runners.states import (
    CHECK_MACHINE,
    FINAL,
    TRANSITIONS,
    CheckStatus,
    CheckTransitionError,
    JobStatus,
    JobTransitionError,
    check_transition,
)
from tests.support.history import move, try_to_rewrite

pytestmark = pytest.mark.django_db


# Where a job may go from each state, stated apart from TRANSITIONS so that the table is checked.
LIFE_OF_A_JOB = {
    JobStatus.QUEUED: [JobStatus.RUNNING, JobStatus.CANCELLED],
    JobStatus.RUNNING: [JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.LOST],
    JobStatus.LOST: [JobStatus.QUEUED],
}


@pytest.mark.parametrize(
    ("current", "target"),
    [(current, target) for current, targets in LIFE_OF_A_JOB.items() for target in targets],
)
def test_it_allows_the_life_of_a_job(current, target, make_job, owner, reviewer):
    job = make_job(owner)
    Job.objects.filter(pk=job.pk).update(status=current)
    job.refresh_from_db()

    job_transition(job=job, to=target, actor=reviewer, reason="Test move.")

    job.refresh_from_db()
    assert job.status == target
    assert move(job.events.last()) == (current, target, reviewer, "Test move.")


def test_it_refuses_moves_out_of_final_states():
    assert {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELLED} == FINAL
    for status in FINAL:
        for target in JobStatus:
            with pytest.raises(JobTransitionError):
                check_transition(status, target)


def test_it_refuses_to_finish_a_job_that_never_ran():
    with pytest.raises(JobTransitionError, match="queued to finished"):
        check_transition(JobStatus.QUEUED, JobStatus.FINISHED)
    assert JobStatus.LOST not in TRANSITIONS[JobStatus.QUEUED]


def test_it_records_who_moved_the_job_and_why(make_job, owner, reviewer):
    job = make_job(owner)
    job_transition(job=job, to=JobStatus.RUNNING, actor=None, reason="Started by host a.")
    job_transition(job=job, to=JobStatus.CANCELLED, actor=reviewer, reason="Wrong pool.")

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.started_at is not None and job.finished_at is not None
    events = list(job.events.values_list("from_status", "to_status", "actor__username", "reason"))
    assert events == [
        ("", "queued", "owner", events[0][3]),
        ("queued", "running", None, "Started by host a."),
        ("running", "cancelled", "reviewer", "Wrong pool."),
    ]


def test_it_leaves_status_and_history_alone_on_a_refused_move(make_job, owner):
    job = make_job(owner)
    with pytest.raises(JobTransitionError):
        job_transition(job=job, to=JobStatus.FINISHED, actor=None, reason="Nope.")
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.events.count() == 1


def test_it_needs_a_reason(make_job, owner):
    job = make_job(owner)
    with pytest.raises(ValueError, match="reason"):
        job_transition(job=job, to=JobStatus.CANCELLED, actor=owner, reason="  ")


def test_it_keeps_the_history_append_only(make_job, owner):
    event = make_job(owner).events.get()
    try_to_rewrite(event)
    assert JobEvent.objects.get(pk=event.pk).reason != "rewritten"


def test_it_refuses_to_reopen_an_ended_reproduction_check():
    assert {CheckStatus.COMPLETED, CheckStatus.FAILED} == CHECK_MACHINE.final
    with pytest.raises(CheckTransitionError, match="A reproduction check cannot move from failed to queued"):
        CHECK_MACHINE.check(CheckStatus.FAILED, CheckStatus.QUEUED)
