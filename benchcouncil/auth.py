"""The signed-in user of a request, typed as the User it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.http import HttpRequest

if TYPE_CHECKING:
    from rest_framework.request import Request


def signed_in_user(request: HttpRequest | Request) -> User:
    """`request.user` where a guard has turned anonymous requests away already.

    The guards: login_required, the reviewer check, the admin, and DRF's IsAuthenticated
    (or IsAuthenticatedOrReadOnly, for a write). This says so to the type checker, and
    fails loudly if a view ever loses its guard.
    """
    user = request.user
    assert isinstance(user, User), "a view that needs a signed-in user was reached without one"
    return user
