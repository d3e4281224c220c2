"""Clients that act as a user: over the API with the user's token, as a CI pipeline does."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def user_token(user: User) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def api_as(user: User) -> APIClient:
    """An API client that authenticates with the user's token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user_token(user)}")
    return client


def runner_as(secret: str, host_token: str | None = None) -> APIClient:
    """An API client as a runner host calls in for a job: the job's secret, and the host's
    token where the host has one."""
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"JobSecret {secret}"}
    if host_token:
        headers["HTTP_X_RUNNER_HOST_TOKEN"] = host_token
    client.credentials(**headers)
    return client
