"""The Content-Security-Policy header, on every answer.

Only the site's own scripts and styles run (plotly, Swagger UI and ReDoc are served from the
site itself): no inline script or style, no other origin. A script injected into a page,
or a link or style smuggled into a chart label, is refused by the browser even if an escape
is ever missed. The policy is settings.CONTENT_SECURITY_POLICY, one directive per entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def policy_header() -> str:
    return "; ".join(
        f"{name} {' '.join(values)}" for name, values in settings.CONTENT_SECURITY_POLICY.items()
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.header = policy_header()

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response
