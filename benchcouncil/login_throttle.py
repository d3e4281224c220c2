"""The login page, with failed attempts counted and a lockout once there are too many.

Failures are counted in the cache (shared between processes when CACHE_URL is set) under two
keys: the client address with the username tried (guessing one account's password), and the
address alone (trying one password on many accounts). Past either limit, the form answers 429
without checking the password until the window ends; a successful login clears the first
counter. The address is the one every throttle reads (benchcouncil/form_throttle.py
client_address): REMOTE_ADDR, or behind the proxy the address it appended to X-Forwarded-For,
never one the client wrote, which would let an attacker pick a new address for every try.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from .form_throttle import client_address

# Per (address, username) and per address; LOGIN_LOCKOUT_SECONDS is the counting window.
DEFAULT_LIMIT = 5
DEFAULT_ADDRESS_LIMIT = 50
DEFAULT_WINDOW_S = 15 * 60


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "LOGIN_FAILURE_LIMIT", DEFAULT_LIMIT),
        getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", DEFAULT_ADDRESS_LIMIT),
        getattr(settings, "LOGIN_LOCKOUT_SECONDS", DEFAULT_WINDOW_S),
    )


def _keys(request: HttpRequest) -> tuple[str, str]:
    address = client_address(request)
    username = str(request.POST.get("username", "")).strip().lower()
    # Hashed: cache keys must be short and printable, and usernames need not be.
    pair = hashlib.sha256(f"{address}\x00{username}".encode()).hexdigest()
    return f"login-fail:pair:{pair}", f"login-fail:addr:{hashlib.sha256(address.encode()).hexdigest()}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _fail(key: str, window_s: int) -> None:
    # add() starts the window; incr() keeps its expiry (both atomic on Redis).
    cache.add(key, 0, timeout=window_s)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr: start again
        cache.set(key, 1, timeout=window_s)


class ThrottledLoginView(LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit, address_limit, window_s = _limits()
        pair_key, address_key = _keys(request)
        if _count(pair_key) >= limit or _count(address_key) >= address_limit:
            form = self.get_form()
            minutes = max(window_s // 60, 1)
            form.add_error(None, f"Too many failed logins from your address. Try again in {minutes} minutes.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            cache.delete(pair_key)
        else:
            _fail(pair_key, window_s)
            _fail(address_key, window_s)
        return response


login = ThrottledLoginView.as_view()
