"""Anonymous answers name no submitter, and "not found" reads as "not allowed" where the
difference would tell which organizations, webhooks and jobs exist."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from runners.services import job_create_reproduction
from submissions.models import Webhook
from submissions.states import Status
from tests.support.clients import api_as
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(owner, org):
    return make_submission(owner, organization=org, status=Status.PUBLISHED)


def test_it_names_no_submitter_to_anonymous_or_unrelated_callers(published, outsider):
    for client in (APIClient(), api_as(outsider)):
        listing = client.get("/api/v1/submissions/")
        detail = client.get(f"/api/v1/submissions/{published.pk}/")
        assert listing.status_code == detail.status_code == 200
        assert listing.json()["results"][0]["owner"] is None and detail.json()["owner"] is None
        assert b"owner" not in listing.content.replace(b'"owner":null', b"")
        assert b'"owner"' in detail.content and b'"owner":"owner"' not in detail.content


def test_it_names_the_submitter_to_their_own_side_and_staff(published, owner, member, reviewer):
    for user in (owner, member, reviewer):
        assert api_as(user).get(f"/api/v1/submissions/{published.pk}/").json()["owner"] == "owner"


# The logout form's CSRF token is masked afresh on every page: the one byte-level difference
# between two answers that say the same thing.
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(user, path: str, method: str = "get"):
    client = Client()
    client.force_login(user)
    response = getattr(client, method)(path)
    return response.status_code, _CSRF.sub(b'name="csrfmiddlewaretoken" value="..."', response.content)


def test_it_answers_an_organization_one_does_not_manage_as_one_that_does_not_exist(org, outsider, owner):
    for user in (outsider, owner):
        existing = _page(user, reverse("review:webhooks", args=[org.slug]))
        missing = _page(user, reverse("review:webhooks", args=["no-such-org"]))
        assert existing[0] == missing[0] == 404
        assert existing[1].replace(org.slug.encode(), b"X") == missing[1].replace(b"no-such-org", b"X")


def test_it_answers_a_webhook_one_does_not_manage_as_one_that_does_not_exist(org, outsider):
    webhook = Webhook.objects.create(organization=org, url="https://ci.example.org/h", secret="s" * 64)
    existing = _page(outsider, reverse("review:webhook-toggle", args=[webhook.pk]), "post")
    missing = _page(outsider, reverse("review:webhook-toggle", args=[webhook.pk + 1000]), "post")
    assert existing == missing and existing[0] == 404
    webhook.refresh_from_db()
    assert webhook.active


def test_it_answers_an_unknown_job_as_a_wrong_secret(owner, org):
    job = job_create_reproduction(submission=make_submission(owner, organization=org), requested_by=owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="JobSecret bcrj_guessed")

    existing = client.post(f"/api/v1/runner/jobs/{job.pk}/heartbeat/")
    missing = client.post(f"/api/v1/runner/jobs/{uuid.uuid4()}/heartbeat/")

    assert existing.status_code == missing.status_code == 403
    assert existing.json() == missing.json()
