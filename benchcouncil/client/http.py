"""HTTP for the command-line client: token auth and retries, over the shared benchcouncil_http.

Connection errors, 5xx and 429 answers are retried with exponential backoff (429 and 503
honour Retry-After). POSTs are retried too: the uploads carry an Idempotency-Key, so a
retry of a request whose answer was lost returns what the first one created.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import requests

from benchcouncil_http import (
    Answer,
    Body,
    Retrying,
    StatusError,
    TransportError,
    json_body,
    multipart_body,
    send,
    session,
)

from .errors import ApiError, NetworkError

__all__ = ["ApiClient", "Body", "Response", "json_body", "multipart_body"]


def _version() -> str:
    # The client ships in the service's distribution and, alone, in benchcouncil-client.
    for distribution in ("benchcouncil-client", "benchcouncil-rankings"):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return "dev"


USER_AGENT = f"benchcouncil-cli/{_version()}"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise NetworkError(f"{self.url}: the answer is not JSON: {self.body[:200]!r}") from exc


def _cli_session() -> requests.Session:
    new = session(USER_AGENT)
    # One request a connection: a retry never goes out on a connection that a proxy in between
    # may have dropped meanwhile, and each answer ends with its connection.
    new.headers["Connection"] = "close"
    return new


@dataclass
class ApiClient:
    base_url: str
    token: str | None = None
    timeout_s: float = 60.0
    retries: int = 5
    backoff_s: float = 1.0
    on_retry: Callable[[str], None] = lambda message: None
    sleep: Callable[[float], None] = time.sleep
    _session: requests.Session = field(default_factory=lambda: _cli_session())

    def url(self, path: str, query: dict[str, str] | None = None) -> str:
        if path.startswith(("http://", "https://")):
            url = path
        else:
            url = self.base_url.rstrip("/") + "/" + path.lstrip("/")
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
        return url

    def same_origin(self, link: str) -> str:
        """A link from an answer (a next page), kept on the configured host: the token never
        follows a link elsewhere, and a link built with an internal host name still works."""
        base, parts = urllib.parse.urlsplit(self.base_url), urllib.parse.urlsplit(link)
        return urllib.parse.urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))

    def get(
        self, path: str, query: dict[str, str] | None = None, accept: str = "application/json"
    ) -> Response:
        return self.request("GET", path, query=query, headers={"Accept": accept})

    def get_json(self, path: str, query: dict[str, str] | None = None) -> Any:
        return self.get(path, query).json()

    def post(
        self, path: str, body: Body, headers: dict[str, str] | None = None, *, idempotent: bool = True
    ) -> Response:
        return self.request("POST", path, body=body, headers=headers, idempotent=idempotent)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Body | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        idempotent: bool = True,
    ) -> Response:
        """Send, retrying what is worth retrying; `idempotent=False` retries only what was surely
        not processed (429, 503, a refused connection), so a retry never does the work twice."""
        url = self.url(path, query)
        sent = dict(headers or {})
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        retrying = Retrying(self.retries, self.backoff_s, self.on_retry, self.sleep)
        try:
            answer = send(
                self._session,
                method,
                url,
                timeout=self.timeout_s,
                retrying=retrying,
                body=body,
                headers=sent,
                idempotent=idempotent,
            )
        except StatusError as exc:
            error = ApiError(exc.answer.status, exc.answer.body, url, exc.answer.headers.get("Location"))
            error.retry_after = exc.retry_after
            raise error from None
        except TransportError as exc:
            raise NetworkError(str(exc)) from exc
        return _response(answer)


def _response(answer: Answer) -> Response:
    return Response(answer.status, dict(answer.headers.items()), answer.body, answer.url)
