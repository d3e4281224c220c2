"""The review queue's filters and its bulk decision, each submission with the reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.models import Provenance, Submission
from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


def _names(client, **query):
    """The queue's submissions on the page, by their bundle's name (the page links each one)."""
    page = client.get(reverse("review:queue"), query).content.decode()
    return {
        s.bundle_name
        for s in Submission.objects.all()
        if f'href="{reverse("review:detail", args=[s.pk])}"' in page
    }


@pytest.fixture
def queue(owner, outsider, reviewer, org, other_org):
    a = make_submission(owner, organization=org, benchmark="image-classification", name="a.tar.gz")
    b = make_submission(
        outsider, organization=other_org, benchmark="extreme-weather", level="free", name="b.tar.gz"
    )
    c = make_submission(owner, organization=org, suite="aibench-training", level="hardware", name="c.tar.gz")
    c.provenance = Provenance.RUNNER_VERIFIED
    c.save(update_fields=["provenance"])
    mine = make_submission(reviewer, name="mine.tar.gz")
    return {"a": a, "b": b, "c": c, "mine": mine}


def test_it_filters_by_suite_benchmark_level_organization_and_provenance(client, reviewer, queue):
    client.force_login(reviewer)
    assert _names(client) == {"a.tar.gz", "b.tar.gz", "c.tar.gz", "mine.tar.gz"}
    assert _names(client, suite="aibench-training") == {"c.tar.gz"}
    assert _names(client, benchmark="extreme-weather") == {"b.tar.gz"}
    assert _names(client, level="free") == {"b.tar.gz"}
    assert _names(client, organization="example-hpc") == {"a.tar.gz", "c.tar.gz"}
    assert _names(client, provenance=Provenance.RUNNER_VERIFIED) == {"c.tar.gz"}
    assert _names(client, decidable="on") == {"a.tar.gz", "b.tar.gz", "c.tar.gz"}


def test_it_decides_several_at_once_recording_the_reason_on_each(client, reviewer, queue):
    client.force_login(reviewer)
    picked = [queue["a"].pk, queue["b"].pk, queue["mine"].pk]
    response = client.post(
        reverse("review:bulk-decide"),
        {"submissions": [str(pk) for pk in picked], "decision": "reject", "reason": "Logs truncated."},
    )
    assert response.status_code == 302
    for key in ("a", "b"):
        queue[key].refresh_from_db()
        event = queue[key].events.last()
        assert queue[key].status == Status.REJECTED
        assert (event.actor, event.reason, event.public) == (reviewer, "Logs truncated.", False)
    queue["mine"].refresh_from_db()
    queue["c"].refresh_from_db()
    assert queue["mine"].status == queue["c"].status == Status.AWAITING_REVIEW
    said = [str(m) for m in response.wsgi_request._messages]
    assert any("You sent this submission" in m and str(queue["mine"].pk) in m for m in said)


@pytest.mark.parametrize(
    "data",
    [{"decision": "reject"}, {"reason": "No decision."}, {"decision": "reject", "reason": "Nothing ticked."}],
)
def test_a_bulk_decision_needs_a_decision_a_reason_and_a_submission(client, reviewer, queue, data):
    client.force_login(reviewer)
    ticked = {"submissions": [str(queue["a"].pk)]} if data.get("reason") != "Nothing ticked." else {}
    client.post(reverse("review:bulk-decide"), {**ticked, **data})
    queue["a"].refresh_from_db()
    assert queue["a"].status == Status.AWAITING_REVIEW and queue["a"].events.count() == 3


def test_only_submissions_one_may_decide_on_can_be_ticked(client, reviewer, queue):
    client.force_login(reviewer)
    page = client.get(reverse("review:queue")).content.decode()
    assert f'name="submissions" value="{queue["a"].pk}"' in page
    assert f'name="submissions" value="{queue["mine"].pk}"' not in page
    assert page.count("yours or your organization's") == 1
