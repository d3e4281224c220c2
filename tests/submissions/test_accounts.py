"""/accounts/signup/ and /accounts/token/: new submitters and their API tokens."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"  # noqa: S105 - test data


def _signup(client, username: str, email: str, password: str = PASSWORD):
    data = {"username": username, "email": email, "password1": password, "password2": password}
    return client.post("/accounts/signup/", data)


def _link(message) -> str:
    return re.search(r"http://\S+(/accounts/activate/\S+/)", message.body).group(1)


def test_it_signs_up_a_submitter_who_activates_the_account_from_the_mail(client, mailoutbox):
    response = _signup(client, "alice", "alice@example.org")

    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    user = User.objects.get(username="alice")
    assert user.email == "alice@example.org" and not user.is_active and not user.is_staff
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]
    assert client.get("/submissions/").status_code == 302  # not logged in yet

    activated = client.get(_link(mailoutbox[0]))

    assert activated.status_code == 302 and activated["Location"] == "/submissions/"
    assert client.get("/submissions/").status_code == 200
    assert User.objects.get(username="alice").is_active
    client.logout()
    assert client.get(_link(mailoutbox[0])).status_code == 400  # the link works once


def test_it_answers_a_taken_email_as_it_answers_a_new_one(client, owner, mailoutbox):
    fresh = _signup(client, "carol", "carol@example.org")
    taken = _signup(client, "bob", owner.email.upper())

    assert taken.status_code == fresh.status_code == 200
    assert taken.content.decode().replace(owner.email.upper(), "X") == fresh.content.decode().replace(
        "carol@example.org", "X"
    )
    assert not User.objects.filter(username="bob").exists()
    # Only the holder of the address learns that it has an account.
    assert mailoutbox[1].to == [owner.email.upper()]
    assert "has an\naccount already (username owner)" in mailoutbox[1].body
    assert "/accounts/password_reset/" in mailoutbox[1].body


def test_it_refuses_a_weak_password(client):
    response = _signup(client, "bob", "bob@example.org", "12345678")

    assert response.status_code == 400
    assert "too common" in response.content.decode()
    assert not User.objects.filter(username="bob").exists()


def test_it_lets_a_sign_up_never_activated_give_way_to_a_new_one(client, mailoutbox):
    _signup(client, "first", "dana@example.org")
    _signup(client, "second", "dana@example.org")

    assert list(User.objects.filter(email="dana@example.org").values_list("username", flat=True)) == [
        "second"
    ]
    assert client.get(_link(mailoutbox[1])).status_code == 302


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
