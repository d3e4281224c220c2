"""/accounts/signup/ and /accounts/token/: new submitters and their API tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"  # noqa: S105 - test data


def test_it_signs_up_a_submitter_and_logs_them_in(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "alice", "email": "alice@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/submissions/"
    user = User.objects.get(username="alice")
    assert user.email == "alice@example.org"
    assert not user.is_staff
    assert client.get("/submissions/").status_code == 200


def test_it_refuses_a_weak_password_and_a_taken_email(client, owner):
    response = client.post(
        "/accounts/signup/",
        {"username": "bob", "email": owner.email.upper(), "password1": "12345678", "password2": "12345678"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "exists already" in page
    assert "too common" in page
    assert not User.objects.filter(username="bob").exists()


def test_it_creates_and_regenerates_the_api_token(client, owner):
    client.force_login(owner)
    assert "no API token yet" in client.get("/accounts/token/").content.decode()

    client.post("/accounts/token/")
    first = Token.objects.get(user=owner).key
    assert first in client.get("/accounts/token/").content.decode()

    client.post("/accounts/token/")
    second = Token.objects.get(user=owner).key
    assert second != first
    assert Token.objects.filter(user=owner).count() == 1


def test_it_authenticates_uploads_with_the_new_token_only(client, owner, api_client):
    client.force_login(owner)
    client.post("/accounts/token/")
    old = Token.objects.get(user=owner).key
    client.post("/accounts/token/")
    new = Token.objects.get(user=owner).key

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api_client.get("/api/v1/submissions/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert api_client.get("/api/v1/submissions/").status_code == 200


def test_it_checks_csrf_on_the_token_page(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    assert client.post("/accounts/token/").status_code == 403
    assert not Token.objects.filter(user=owner).exists()


def test_it_sends_anonymous_visitors_of_the_token_page_to_log_in(client):
    response = client.get("/accounts/token/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
