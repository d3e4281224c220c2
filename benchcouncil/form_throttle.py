"""Throttles for the HTML forms that write, counted as the API counts.

A form's POST is counted once per user (the same counter as the API's scope of the same
name, so the upload form and the upload API share one budget) and once per client address
(a second counter, which the API's AddressScopedRateThrottle shares), and for password
resets once per address asked about too, so no one can fill a stranger's inbox. Past any of
its limits a POST answers 429 with Retry-After and is not processed. Rates are DRF's
DEFAULT_THROTTLE_RATES, by scope name.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

View = Callable[..., HttpResponseBase]


class CounterThrottle(SimpleRateThrottle):
    """DRF's rate algorithm on one named counter: `scope` and an identity, any request."""

    def __init__(self, scope: str, ident: str) -> None:
        self.scope = scope
        self.ident = ident
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}

    def allow(self, request: Any) -> bool:
        """Count this request; False when the counter is full (a refused request is not counted)."""
        view: Any = None
        return self.allow_request(request, view)


def client_address(request: Any) -> str:
    """The client's address as every throttle reads it: REMOTE_ADDR, or with NUM_PROXIES set
    (behind the proxy), the address the nearest proxy appended to X-Forwarded-For; never an
    address the client wrote itself."""
    # A WSGI server may leave REMOTE_ADDR unset (a unix socket): then every such caller is one.
    return str(BaseThrottle().get_ident(request) or "")


def address_ident(request: Any) -> str:
    return "addr-" + client_address(request)


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _counters(request: HttpRequest, scope: str, field: str | None) -> list[CounterThrottle]:
    counters = [CounterThrottle(scope, address_ident(request))]
    if request.user.is_authenticated:
        counters.append(CounterThrottle(scope, str(request.user.pk)))
    if field and request.POST.get(field):
        counters.append(CounterThrottle(scope, f"{field}-{_digest(str(request.POST[field]))}"))
    return counters


def throttled(scope: str, *, what: str, per_field: str | None = None) -> Callable[[View], View]:
    """Limit a view's POSTs; `per_field` also counts each value of that form field."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                # Every counter counts this attempt (no short-circuit): each limit sees all tries.
                refused = [c for c in _counters(request, scope, per_field) if not c.allow(request)]
                if refused:
                    return too_many(request, what, max(c.wait() or 1 for c in refused))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def too_many(request: HttpRequest, what: str, wait_s: float) -> HttpResponse:
    minutes = max(math.ceil(wait_s / 60), 1)
    context = {"what": what, "minutes": minutes}
    response = render(request, "errors/429.html", context, status=429)
    response["Retry-After"] = str(math.ceil(wait_s))
    return response
