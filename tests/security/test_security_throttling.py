"""The API and the login page are throttled; the rates are made small for the test.

DRF's throttles read their rates into a class attribute at import, so the test sets that
attribute (the configuration), and clears the cache that holds the counters.
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_rates(monkeypatch, settings, media_storage):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute", "uploads": "2/minute"}
    )
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.LOGIN_LOCKOUT_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _statuses(call, times: int) -> list[int]:
    return [call().status_code for _ in range(times)]


def test_it_throttles_anonymous_api_callers():
    client = APIClient()
    assert _statuses(lambda: client.get("/api/v1/benchmarks/"), 4) == [200, 200, 200, 429]
    assert "Retry-After" in client.get("/api/v1/benchmarks/").headers


def test_it_throttles_each_user_on_their_own(owner, member):
    owner_client, member_client = APIClient(), APIClient()
    owner_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    member_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member).key}")
    assert _statuses(lambda: owner_client.get("/api/v1/benchmarks/"), 6) == [200] * 5 + [429]
    assert member_client.get("/api/v1/benchmarks/").status_code == 200


def test_it_throttles_uploads_tighter_than_reads(owner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")

    def upload():
        return client.post("/api/v1/submissions/", {"bundle": SimpleUploadedFile("b.tar.gz", b"x")})

    assert _statuses(upload, 3) == [202, 202, 429]
    assert client.get("/api/v1/submissions/").status_code == 200  # reading is not an upload


def _login(client: Client, username: str, password: str = "wrong") -> int:  # noqa: S107
    return client.post("/accounts/login/", {"username": username, "password": password}).status_code


def test_it_locks_out_one_username_from_one_address_after_failed_logins(owner):
    client = Client()
    assert [_login(client, "owner") for _ in range(3)] == [200, 200, 200]  # the form again, with errors
    locked = client.post("/accounts/login/", {"username": "owner", "password": "password"})
    assert locked.status_code == 429  # the right password too: the window is closed
    assert b"Too many failed logins" in locked.content
    assert _login(Client(REMOTE_ADDR="10.0.0.9"), "owner", "password") == 302  # another address


def test_it_locks_out_an_address_that_tries_many_usernames(owner):
    client = Client()
    assert [_login(client, f"user{i}") for i in range(6)] == [200] * 6
    assert _login(client, "owner", "password") == 429


def test_it_clears_the_count_on_success_and_after_the_window(owner, settings):
    client = Client()
    assert [_login(client, "owner") for _ in range(2)] == [200, 200]
    assert _login(client, "owner", "password") == 302
    client.logout()
    assert [_login(client, "owner") for _ in range(3)] == [200, 200, 200]  # counted afresh
    settings.LOGIN_LOCKOUT_SECONDS = 1
    cache.clear()
    assert [_login(client, "owner") for _ in range(3)] == [200, 200, 200]
    assert _login(client, "owner", "password") == 429
    time.sleep(1.1)
    assert _login(client, "owner", "password") == 302
