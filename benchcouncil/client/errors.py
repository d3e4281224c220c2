"""Exit codes of the `benchcouncil` command and the errors that lead to them.

A CI job can act on the code alone: retry later on 3, fix its configuration on 2 or 5,
fail the build on 1, raise the time limit on 4.
"""

from __future__ import annotations

import json
from typing import Any

OK = 0  # valid, accepted, reached the awaited status
INVALID = 1  # the bundle or submission is invalid, rejected or refused as sent
USAGE = 2  # bad arguments, missing configuration, unreadable file, unknown id or leaderboard
NETWORK = 3  # the service could not be reached, or kept failing (5xx, 429) after the retries
TIMEOUT = 4  # the awaited status did not come within --timeout
AUTH = 5  # the token is missing, wrong, or not allowed to do this (401, 403)

EXIT_CODES = {
    OK: "ok: valid, accepted, or the awaited status was reached",
    INVALID: "invalid or rejected (locally, by the server's validation, or by review)",
    USAGE: "usage or configuration error, unreadable file, unknown submission or leaderboard",
    NETWORK: "network or server error after retries",
    TIMEOUT: "timed out waiting for a final status",
    AUTH: "authentication or permission refused",
}


class ClientError(Exception):
    """Anything that ends a command early; `exit_code` says which code it ends with."""

    exit_code = USAGE


class UsageError(ClientError):
    exit_code = USAGE


class NetworkError(ClientError):
    exit_code = NETWORK


class WaitTimeout(ClientError):
    exit_code = TIMEOUT


class ApiError(ClientError):
    """The service answered with an error status (after retries, for those worth retrying)."""

    retry_after: float | None = None

    def __init__(self, status: int, body: bytes, url: str, location: str | None = None) -> None:
        self.status, self.body, self.url, self.location = status, body, url, location
        super().__init__(f"{url}: HTTP {status}: {self.detail}")

    @property
    def payload(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def detail(self) -> str:
        payload = self.payload
        if isinstance(payload, dict) and payload:
            return _messages(payload)
        if payload is not None:
            return json.dumps(payload)
        if 300 <= self.status < 400 and self.location:
            return f"redirected to {self.location}; point BENCHCOUNCIL_URL there"
        text = self.body.decode("utf-8", "replace").strip()
        return text[:300] or "(no body)"

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        if self.status in (401, 403):
            return AUTH
        if self.status in (400, 413):
            return INVALID
        if self.status >= 500 or self.status == 429:
            return NETWORK
        return USAGE


def _messages(payload: dict[str, Any]) -> str:
    """DRF's error shapes as one line: {"detail": ...}, {"errors": [...]}, or per-field lists."""
    parts = [str(payload["detail"])] if "detail" in payload else []
    for name, value in payload.items():
        if name in ("detail", "code"):
            continue
        items = value if isinstance(value, list) else [value]
        text = "; ".join(str(item) for item in items)
        parts.append(text if name == "errors" else f"{name}: {text}")
    return " ".join(parts) if parts else json.dumps(payload)
