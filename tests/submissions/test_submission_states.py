"""The submission state machine, through submission_transition, and its append-only history."""

from __future__ import annotations

import pytest

from submissions.models import StatusEvent, Submission
from submissions.services import submission_transition
from submissions.states import FINAL, TRANSITIONS, Status, TransitionError
from tests.support.history import move, try_to_rewrite

pytestmark = pytest.mark.django_db

ALLOWED = [(current, target) for current, targets in TRANSITIONS.items() for target in sorted(targets)]
FORBIDDEN = [
    (Status.RECEIVED, Status.PUBLISHED),
    (Status.RECEIVED, Status.AWAITING_REVIEW),
    (Status.VALIDATING, Status.PUBLISHED),
    (Status.INVALID, Status.PUBLISHED),
    (Status.INVALID, Status.AWAITING_REVIEW),
    (Status.AWAITING_REVIEW, Status.RECEIVED),
    (Status.CHANGES_REQUESTED, Status.PUBLISHED),
    (Status.PUBLISHED, Status.AWAITING_REVIEW),
    (Status.REJECTED, Status.PUBLISHED),
    (Status.WITHDRAWN, Status.RECEIVED),
    (Status.SUPERSEDED, Status.PUBLISHED),
]


@pytest.fixture
def bare(owner) -> Submission:
    """A submission row in any status, without a stored bundle: these tests move states only."""
    return Submission.objects.create(
        owner=owner,
        bundle="bundles/x/bundle.tar.gz",
        bundle_name="x.tar.gz",
        bundle_size=1,
        bundle_sha256="0" * 64,
    )


def _at(submission: Submission, status: str) -> Submission:
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()
    return submission


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_it_allows_each_transition_of_the_state_machine(current, target, bare, reviewer):
    submission = _at(bare, current)

    submission_transition(submission=submission, to=target, actor=reviewer, reason="Test move.")

    submission.refresh_from_db()
    assert submission.status == target
    assert move(submission.events.get()) == (current, target, reviewer, "Test move.")
    assert (submission.published_at is not None) is (target == Status.PUBLISHED)


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_it_refuses_a_transition_the_machine_does_not_allow(current, target, bare, reviewer):
    submission = _at(bare, current)

    with pytest.raises(TransitionError):
        submission_transition(submission=submission, to=target, actor=reviewer, reason="Not allowed.")

    submission.refresh_from_db()
    assert submission.status == current
    assert not submission.events.exists()


def test_it_has_no_way_out_of_a_final_status():
    assert {Status.REJECTED, Status.WITHDRAWN, Status.SUPERSEDED} == FINAL
    for status in FINAL:
        assert TRANSITIONS[status] == frozenset()


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_requires_a_reason(reason, bare, reviewer):
    with pytest.raises(ValueError, match="reason"):
        submission_transition(submission=bare, to=Status.VALIDATING, actor=reviewer, reason=reason)

    bare.refresh_from_db()
    assert bare.status == Status.RECEIVED
    assert not bare.events.exists()


def test_it_keeps_the_history_append_only(bare, reviewer):
    submission_transition(submission=bare, to=Status.VALIDATING, actor=None, reason="Validation started.")

    try_to_rewrite(StatusEvent.objects.get())

    assert StatusEvent.objects.get().reason == "Validation started."


def test_it_appends_one_event_per_move_in_order(bare, reviewer):
    for target in (Status.VALIDATING, Status.AWAITING_REVIEW, Status.PUBLISHED, Status.WITHDRAWN):
        submission_transition(submission=bare, to=target, actor=reviewer, reason=f"to {target}")

    moves = list(bare.events.values_list("from_status", "to_status"))
    assert moves == [
        (Status.RECEIVED, Status.VALIDATING),
        (Status.VALIDATING, Status.AWAITING_REVIEW),
        (Status.AWAITING_REVIEW, Status.PUBLISHED),
        (Status.PUBLISHED, Status.WITHDRAWN),
    ]
