"""Every POST form refuses a request without a CSRF token, and takes one with it.

The client enforces CSRF checks as a browser session would meet them. Each form is posted
twice by the same user: without a token (403, refused before the view looks at anything)
and with one (anything but 403), which shows that the token was the only thing missing.
The API's session-authenticated writes are held to the same rule; token-authenticated
calls carry no cookie and need no CSRF token.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

TOKEN = "a" * 32  # a CSRF secret: the cookie and the form field carry the same value
SOME_ID = uuid.uuid4()

# (path, logged in, form data)
FORMS = [
    ("/accounts/signup/", False, {"username": "new", "password1": "x", "password2": "x"}),
    ("/accounts/login/", False, {"username": "admin", "password": "password"}),
    ("/accounts/logout/", True, {}),
    ("/accounts/password_change/", True, {"old_password": "password"}),
    ("/accounts/password_reset/", False, {"email": "admin@example.org"}),
    ("/accounts/token/", True, {}),
    ("/submissions/new/", True, {}),
    (f"/review/{SOME_ID}/decide/", True, {"decision": "approve", "reason": "r"}),
    (f"/review/{SOME_ID}/reproduce/", True, {"reason": "r"}),
    (f"/review/{SOME_ID}/reproductions/refresh/", True, {}),
    (f"/review/{SOME_ID}/withdraw/", True, {"reason": "r"}),
    (f"/review/{SOME_ID}/correct/", True, {"reason": "r"}),
    ("/review/organizations/example-hpc/webhooks/", True, {"url": "https://ci.example.org/h"}),
    ("/review/webhooks/1/toggle/", True, {}),
    ("/runners/jobs/new/", True, {}),
    (f"/runners/jobs/{SOME_ID}/cancel/", True, {}),
    # The API, as a logged-in browser session would call it.
    ("/api/v1/submissions/", True, {}),
    (f"/api/v1/submissions/{SOME_ID}/withdraw/", True, {"reason": "r"}),
    (f"/api/v1/submissions/{SOME_ID}/corrections/", True, {"reason": "r"}),
    ("/api/v1/model-submissions/", True, {}),
    (f"/api/v1/model-submissions/{SOME_ID}/cancel/", True, {}),
]


def _client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("path", "logged_in", "data"), FORMS, ids=[f[0] for f in FORMS])
def test_it_refuses_a_post_without_a_csrf_token(path, logged_in, data, admin, org):
    client = _client(admin if logged_in else None)
    assert client.post(path, data).status_code == 403
    client.cookies["csrftoken"] = TOKEN
    assert client.post(path, {**data, "csrfmiddlewaretoken": TOKEN}).status_code != 403


def test_it_takes_api_calls_with_a_token_without_csrf(admin):
    client = Client(enforce_csrf_checks=True)
    key = Token.objects.create(user=admin).key
    response = client.post("/api/v1/submissions/", {}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 400  # past authentication and CSRF: the bundle is missing
