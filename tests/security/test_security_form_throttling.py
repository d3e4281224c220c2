"""Every HTML form that writes is throttled as the API is: per user and per client address.

Rates are made small for the test on DRF's throttle class (which holds the configuration);
the counters live in the cache, cleared around each test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from submissions.models import Submission
from submissions.states import Status
from tests.support.clients import api_as
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db

BUNDLE = (
    Path(__file__).resolve().parents[2] / "examples" / "hpc-ai500-image-classification-system.tar.gz"
).read_bytes()
RATES = {"anon": "1000/minute", "user": "1000/minute", "uploads": "2/minute", "signup": "2/minute"}
RATES |= {"password_reset": "2/minute", "tokens": "2/minute", "webhooks": "2/minute"}


@pytest.fixture(autouse=True)
def small_rates(monkeypatch, media_storage):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", RATES)
    cache.clear()
    yield
    cache.clear()


def _web(user, address: str = "192.0.2.10") -> Client:
    client = Client(REMOTE_ADDR=address)
    if user is not None:
        client.force_login(user)
    return client


def _upload_form(client: Client):
    return client.post("/submissions/new/", {"bundle": SimpleUploadedFile("b.tar.gz", BUNDLE)})


def test_it_throttles_the_upload_form_and_stores_nothing_past_the_limit(owner):
    client = _web(owner)

    statuses = [_upload_form(client).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert Submission.objects.count() == 2
    refused = _upload_form(client)
    assert "Too many uploads" in refused.content.decode() and int(refused["Retry-After"]) > 0


def test_it_counts_form_and_api_uploads_against_one_budget(owner):
    assert (
        api_as(owner)
        .post("/api/v1/submissions/", {"bundle": SimpleUploadedFile("b.tar.gz", BUNDLE)})
        .status_code
        == 202
    )
    client = _web(owner)
    assert [_upload_form(client).status_code for _ in range(2)] == [302, 429]


def test_it_counts_per_address_across_accounts(owner, member):
    assert [_upload_form(_web(owner)).status_code for _ in range(2)] == [302, 302]
    assert _upload_form(_web(member)).status_code == 429  # same address, another account
    assert _upload_form(_web(member, "198.51.100.7")).status_code == 302


def test_it_throttles_the_correction_form(owner, org):
    sent_back = [make_submission(owner, organization=org, status=Status.CHANGES_REQUESTED) for _ in range(3)]
    client = _web(owner)

    statuses = [
        client.post(
            reverse("review:correct", args=[s.pk]),
            {"bundle": SimpleUploadedFile("b.tar.gz", BUNDLE), "reason": "Fixed."},
        ).status_code
        for s in sent_back
    ]

    assert statuses == [302, 302, 429]
    sent_back[2].refresh_from_db()
    assert sent_back[2].status == Status.CHANGES_REQUESTED


def test_it_throttles_signups_per_address(mailoutbox):
    client = _web(None)
    statuses = [
        client.post(
            "/accounts/signup/",
            {
                "username": f"u{i}",
                "email": f"u{i}@example.org",
                "password1": "a-long-pass-42x",
                "password2": "a-long-pass-42x",
            },
        ).status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert len(mailoutbox) == 2


def test_it_throttles_password_resets_per_address_and_per_email(owner, mailoutbox):
    reset = "/accounts/password_reset/"
    # From many addresses, one victim's inbox: counted per email.
    statuses = [
        _web(None, f"203.0.113.{i}").post(reset, {"email": owner.email}).status_code for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(mailoutbox) == 2
    # From one address, many emails: counted per address.
    client = _web(None, "198.51.100.9")
    statuses = [client.post(reset, {"email": f"x{i}@example.org"}).status_code for i in range(3)]
    assert statuses == [302, 302, 429]


def test_it_answers_a_reset_the_same_whatever_the_email(owner):
    known = _web(None, "203.0.113.1").post("/accounts/password_reset/", {"email": owner.email})
    unknown = _web(None, "203.0.113.2").post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_it_throttles_token_creation(owner):
    client = _web(owner)
    assert [client.post("/accounts/token/").status_code for _ in range(3)] == [302, 302, 429]
    assert Token.objects.filter(user=owner).count() == 1


def test_it_throttles_webhook_creation(owner, org):
    from submissions.models import Membership

    Membership.objects.filter(user=owner, organization=org).update(role="manager")
    client = _web(owner)
    url = reverse("review:webhooks", args=[org.slug])
    statuses = [client.post(url, {"url": f"https://ci.example.org/{i}"}).status_code for i in range(3)]
    assert statuses[2] == 429
    assert org.webhooks.count() == 2
