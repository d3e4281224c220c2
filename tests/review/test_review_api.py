"""The review API: the queue, a submission's review data and every decision, by token."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.models import Membership
from submissions.states import Status
from tests.support.clients import api_as
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


def test_it_lists_the_queue_with_flags_and_filters(reviewer, owner, outsider, org, pending):
    copy = make_submission(outsider, name="copy.tar.gz")
    copy.bundle_sha256 = pending.bundle_sha256
    copy.save(update_fields=["bundle_sha256"])
    make_submission(owner, organization=org, benchmark="extreme-weather", level="free", name="weather.tar.gz")
    Membership.objects.create(organization=org, user=reviewer)
    api = api_as(reviewer)
    body = api.get(reverse("api-review-queue")).json()
    assert body["count"] == 3
    by_name = {entry["submission"]["bundle_name"]: entry for entry in body["results"]}
    assert by_name["copy.tar.gz"]["duplicates"] == 1 and by_name["bundle.tar.gz"]["duplicates"] == 0
    assert by_name["copy.tar.gz"]["can_decide"] and not by_name["bundle.tar.gz"]["can_decide"]
    assert by_name["bundle.tar.gz"]["runs"] == 5
    flagged = api.get(reverse("api-review-queue"), {"flagged": "true"}).json()
    assert [e["submission"]["bundle_name"] for e in flagged["results"]] == ["copy.tar.gz"]
    weather = api.get(reverse("api-review-queue"), {"benchmark": "extreme-weather"}).json()
    assert [e["submission"]["bundle_name"] for e in weather["results"]] == ["weather.tar.gz"]
    bad = api.get(reverse("api-review-queue"), {"level": "nonsense"})
    assert bad.status_code == 400 and "level" in bad.json()


def test_it_gives_a_submissions_review_data(reviewer, owner, outsider, pending):
    copy = make_submission(outsider, name="copy.tar.gz")
    copy.bundle_sha256 = pending.bundle_sha256
    copy.save(update_fields=["bundle_sha256"])
    body = api_as(reviewer).get(reverse("api-review-detail", args=[copy.pk])).json()
    assert body["submission"]["id"] == str(copy.pk) and body["submission"]["owner"] == "outsider"
    assert len(body["runs"]) == 5 and body["can_decide"] and body["conflict"] is None
    assert [(d["submission"], d["what"]) for d in body["duplicates"]] == [(str(pending.pk), "bundle")]
    assert body["hyperparameters"] and all(len(row["cells"]) == 6 for row in body["hyperparameters"])
    assert "approve" in body["decisions"] and body["links"]["decision"].endswith(f"/{copy.pk}/decision/")
    assert [e["to_status"] for e in body["events"]] == ["received", "validating", "awaiting_review"]


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        ("approve", Status.PUBLISHED),
        ("reject", Status.REJECTED),
        ("request_changes", Status.CHANGES_REQUESTED),
        ("supersede", Status.SUPERSEDED),
    ],
)
def test_it_records_each_decision_with_its_reason(reviewer, pending, decision, status):
    response = api_as(reviewer).post(
        reverse("api-review-decision", args=[pending.pk]),
        {"decision": decision, "reason": "By script.", "public": False},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "submission": str(pending.pk),
        "decided": True,
        "status": status,
        "detail": "Decided.",
    }
    event = pending.events.last()
    assert (event.to_status, event.actor, event.reason, event.public) == (
        status,
        reviewer,
        "By script.",
        False,
    )


def test_a_decision_needs_a_decision_and_a_reason(reviewer, pending):
    api = api_as(reviewer)
    for data in (
        {"reason": "No decision."},
        {"decision": "approve"},
        {"decision": "approve", "reason": "  "},
    ):
        response = api.post(reverse("api-review-decision", args=[pending.pk]), data, format="json")
        assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW


def test_it_refuses_a_decision_on_ones_own_organizations_submission(reviewer, org, pending):
    Membership.objects.create(organization=org, user=reviewer)
    response = api_as(reviewer).post(
        reverse("api-review-decision", args=[pending.pk]),
        {"decision": "approve", "reason": "Mine."},
        format="json",
    )
    assert response.status_code == 403 and "Your organization sent" in response.json()["detail"]
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW


def test_it_answers_409_for_a_move_the_state_machine_forbids(reviewer, owner, org):
    rejected = make_submission(owner, organization=org, status=Status.REJECTED)
    response = api_as(reviewer).post(
        reverse("api-review-decision", args=[rejected.pk]),
        {"decision": "approve", "reason": "Oops."},
        format="json",
    )
    assert response.status_code == 409 and response.json()["status"] == Status.REJECTED


def test_it_decides_several_at_once_and_reports_each(reviewer, owner, org):
    first, second = make_submission(owner, organization=org), make_submission(owner, organization=org)
    own = make_submission(reviewer)
    response = api_as(reviewer).post(
        reverse("api-review-bulk-decision"),
        {
            "submissions": [str(first.pk), str(own.pk), str(second.pk)],
            "decision": "approve",
            "reason": "Batch.",
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 200 and body["decided"] == 2
    assert [(r["submission"], r["decided"]) for r in body["results"]] == [
        (str(first.pk), True),
        (str(own.pk), False),
        (str(second.pk), True),
    ]
    assert "You sent this submission" in body["results"][1]["detail"]
    for submission in (first, second):
        submission.refresh_from_db()
        assert submission.status == Status.PUBLISHED and submission.events.last().reason == "Batch."


def test_it_requests_a_reproduction_with_a_reason(reviewer, pending):
    response = api_as(reviewer).post(
        reverse("api-review-reproductions", args=[pending.pk]), {"reason": "Too fast."}, format="json"
    )
    assert response.status_code == 201 and response.json()["verdict"] == "pending"
    check = pending.reproduction_checks.get()
    assert (check.requested_by, check.reason) == (reviewer, "Too fast.")


def test_it_is_in_the_openapi_schema(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/review/queue/",
        "/api/v1/review/decisions/",
        "/api/v1/review/submissions/{submission_id}/",
        "/api/v1/review/submissions/{submission_id}/decision/",
        "/api/v1/review/submissions/{submission_id}/reproductions/",
    ):
        assert path in paths, path
    decision = schema["components"]["schemas"]["DecisionInputRequest"]
    assert set(decision["required"]) == {"decision", "reason"}
