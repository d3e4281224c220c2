"""API throttles."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from .form_throttle import address_ident


class SignedInRateThrottle(UserRateThrottle):
    """DRF's per-user rate ("user"), for signed-in callers only.

    DRF's UserRateThrottle also counts anonymous callers, by address, in a history of its own
    beside AnonRateThrottle's: each anonymous request paid for two histories (a cache read and
    a write each), and the rate named for users bound anonymous callers too. Anonymous callers
    are AnonRateThrottle's ("anon") alone.
    """

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class AddressScopedRateThrottle(ScopedRateThrottle):
    """A scoped view's rate counted per client address as well as per user, so that one
    address cannot spread uploads over many accounts. The counter is the one the HTML forms
    of the same scope count on (benchcouncil/form_throttle.py)."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": address_ident(request)}
