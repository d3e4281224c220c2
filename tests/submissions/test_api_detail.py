"""GET /api/v1/submissions/{id}/: status, findings, derived figures, system, history."""

from __future__ import annotations

import pytest

from submissions.models import StatusEvent
from submissions.services import submission_transition
from submissions.states import Status
from tests.support.clients import api_as
from tests.support.intake_bundles import SYSTEM

pytestmark = pytest.mark.django_db


def _url(submission) -> str:
    return f"/api/v1/submissions/{submission.pk}/"


def test_it_shows_status_findings_and_the_derived_run_figures(owner_api, submission):
    body = owner_api.get(_url(submission)).json()

    assert body["id"] == str(submission.pk)
    assert body["status"] == Status.AWAITING_REVIEW
    assert (body["suite"], body["benchmark"], body["level"]) == (
        "aibench-training",
        "image-classification",
        "system",
    )
    assert body["findings"] == []
    assert len(body["runs"]) == 3
    run = body["runs"][0]
    assert run["time_to_train_s"] == 1801.0
    assert run["time_to_quality_s"] == 1800.0
    assert run["achieved_quality"] == 0.752
    assert run["samples_processed"] == 3 * 1_281_167
    assert run["total_flops"] == pytest.approx(2.43e10 * 3 * 1_281_167)
    assert run["curve"][-1] == {"epoch": 3, "time_s": 1800.0, "quality": 0.752}
    assert body["system_description"] == SYSTEM
    assert body["bundle_sha256"] == submission.bundle_sha256


def _add_staff_note(submission) -> None:
    """A staff-only "Staff note" in the history of a published submission."""
    StatusEvent.objects.create(
        submission=submission,
        from_status="published",
        to_status="published",
        reason="Staff note",
        public=False,
    )


def test_it_shows_staff_only_notes_to_staff_alone(owner_api, member, submission, reviewer):
    submission_transition(
        submission=submission, to=Status.PUBLISHED, actor=reviewer, reason="Checked.", public=True
    )
    _add_staff_note(submission)

    staff_reasons = [e["reason"] for e in api_as(reviewer).get(_url(submission)).json()["events"]]
    assert staff_reasons[-2:] == ["Checked.", "Staff note"]
    for client in (owner_api, api_as(member)):
        reasons = [e["reason"] for e in client.get(_url(submission)).json()["events"]]
        assert "Staff note" not in reasons
        assert reasons[-1] == "Checked."


def test_it_shows_only_public_history_to_everyone_else(api_client, outsider, published):
    _add_staff_note(published)

    for client in (api_client, api_as(outsider)):
        events = client.get(_url(published)).json()["events"]
        assert [e["to_status"] for e in events] == ["received", "validating", "awaiting_review", "published"]
        assert all(e["public"] for e in events)


def test_it_names_people_only_to_the_submitters_side(api_client, owner_api, published):
    public = api_client.get(_url(published)).json()["events"]
    private = owner_api.get(_url(published)).json()["events"]

    assert (public[0]["actor"], public[-1]["actor"]) == ("submitter", "service")
    assert (private[0]["actor"], private[-1]["actor"]) == ("owner", "service")
