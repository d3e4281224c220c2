"""Corrections: a new bundle that supersedes a submission sent back for changes.

Web: /review/<uuid>/correct/; API: POST /api/v1/submissions/{id}/corrections/ (multipart).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions.models import Submission
from submissions.states import Status
from tests.support.clients import api_as
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "corrected.tar.gz"


@pytest.fixture
def sent_back(owner, org) -> Submission:
    return make_submission(owner, organization=org, status=Status.CHANGES_REQUESTED, reason="Add run 5.")


def _api(user, submission, bundle, reason="Added the fifth run."):
    return api_as(user).post(
        reverse("api-submission-corrections", args=[submission.pk]),
        {"bundle": SimpleUploadedFile(NAME, bundle), "reason": reason},
        format="multipart",
    )


def test_it_stores_the_correction_as_a_new_submission_that_supersedes_the_old(
    owner, sent_back, example_bundle
):
    response = _api(owner, sent_back, example_bundle)
    assert response.status_code == 201, response.content
    corrected = Submission.objects.get(pk=response.json()["id"])
    assert response.json()["supersedes"] == str(sent_back.pk)
    assert corrected.supersedes == sent_back and corrected.owner == owner
    assert corrected.organization_id == sent_back.organization_id
    sent_back.refresh_from_db()
    assert sent_back.status == Status.SUPERSEDED
    event = sent_back.events.last()
    assert (
        event.actor == owner and str(corrected.pk) in event.reason and "Added the fifth run." in event.reason
    )
    # The old history stays whole; the new bundle went through validation like any other.
    assert sent_back.events.filter(to_status=Status.CHANGES_REQUESTED, reason="Add run 5.").exists()
    corrected.refresh_from_db()
    assert corrected.status == Status.AWAITING_REVIEW
    assert corrected.runs.count() == 5


def test_it_lets_an_organization_member_correct(member, sent_back, example_bundle):
    response = _api(member, sent_back, example_bundle)
    assert response.status_code == 201
    assert Submission.objects.get(pk=response.json()["id"]).owner == member


def test_it_hides_the_submission_from_outsiders(outsider, sent_back, example_bundle):
    assert _api(outsider, sent_back, example_bundle).status_code == 404
    assert not Submission.objects.filter(supersedes=sent_back).exists()


def test_it_does_not_let_reviewers_upload_for_the_submitter(reviewer, sent_back, example_bundle):
    assert _api(reviewer, sent_back, example_bundle).status_code == 403
    sent_back.refresh_from_db()
    assert sent_back.status == Status.CHANGES_REQUESTED


@pytest.mark.parametrize("state", [Status.AWAITING_REVIEW, Status.PUBLISHED, Status.REJECTED])
def test_it_answers_409_unless_changes_were_requested(owner, org, state, example_bundle):
    submission = make_submission(owner, organization=org, status=state)
    assert _api(owner, submission, example_bundle).status_code == 409
    assert not Submission.objects.filter(supersedes=submission).exists()


def test_it_requires_a_reason_and_a_bundle(owner, sent_back, example_bundle):
    assert _api(owner, sent_back, example_bundle, reason="").status_code == 400
    url = reverse("api-submission-corrections", args=[sent_back.pk])
    assert api_as(owner).post(url, {"reason": "x"}, format="multipart").status_code == 400
    sent_back.refresh_from_db()
    assert sent_back.status == Status.CHANGES_REQUESTED


def test_it_takes_a_correction_through_the_web_form(client, owner, sent_back, example_bundle):
    client.force_login(owner)
    url = reverse("review:correct", args=[sent_back.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"bundle": SimpleUploadedFile(NAME, example_bundle), "reason": "Fixed."})
    corrected = Submission.objects.get(supersedes=sent_back)
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:detail", args=[corrected.pk])
    sent_back.refresh_from_db()
    assert sent_back.status == Status.SUPERSEDED


def test_it_refuses_the_web_form_to_others(client, outsider, reviewer, sent_back):
    url = reverse("review:correct", args=[sent_back.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
