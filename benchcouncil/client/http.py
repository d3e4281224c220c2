"""HTTP for the command-line client: the standard library only, token auth, retries.

Connection errors, 5xx and 429 answers are retried with exponential backoff (429 and 503
honour Retry-After). POSTs are retried too: the uploads carry an Idempotency-Key, so a
retry of a request whose answer was lost returns what the first one created.
"""

from __future__ import annotations

import http.client
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from .errors import ApiError, NetworkError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
NOT_PROCESSED_STATUSES = frozenset({429, 503})
MAX_DELAY_S = 30.0
CHUNK = 1024 * 1024


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


@dataclass
class Body:
    """A request body made anew for each attempt, so a retry can send it again."""

    content_type: str
    length: int
    chunks: Callable[[], Iterator[bytes]]


def json_body(payload: Any) -> Body:
    data = json.dumps(payload).encode()
    return Body("application/json", len(data), lambda: iter([data]))


def multipart_body(fields: dict[str, str], files: dict[str, Path]) -> Body:
    """multipart/form-data streamed from disk: a large bundle is never held in memory."""
    boundary = f"benchcouncil-{uuid.uuid4().hex}"
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    parts = [
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{_quoted(path.name)}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        for name, path in files.items()
    ]
    tail = f"--{boundary}--\r\n".encode()
    sizes = [len(part) + path.stat().st_size + 2 for part, path in zip(parts, files.values(), strict=True)]
    length = len(head) + sum(sizes) + len(tail)

    def chunks() -> Iterator[bytes]:
        yield head
        for part, path in zip(parts, files.values(), strict=True):
            yield part
            with path.open("rb") as stream:
                yield from iter(lambda: stream.read(CHUNK), b"")
            yield b"\r\n"
        yield tail

    return Body(f"multipart/form-data; boundary={boundary}", length, chunks)


class _CarefulRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        # urllib turns a redirected POST into a GET without its body: an upload would seem to
        # succeed with the answer of a list. Stop and say where the service really is instead.
        if req.get_method() not in ("GET", "HEAD"):
            return None
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        # urllib keeps every header, the token too, whatever host the redirect points at.
        if (
            new is not None
            and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc
        ):
            new.remove_header("Authorization")
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
    _opener: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(_CarefulRedirects)
    )

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
        retry_statuses = RETRY_STATUSES if idempotent else NOT_PROCESSED_STATUSES
        attempt = 0
        while True:
            try:
                return self._send(method, url, body, headers or {})
            except ApiError as exc:
                if exc.status not in retry_statuses or attempt >= self.retries:
                    raise
                delay = self._delay(attempt, exc.retry_after)
                reason = f"HTTP {exc.status}"
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                if attempt >= self.retries or not (idempotent or _refused(exc)):
                    tries = f"{attempt + 1} attempt(s)"
                    raise NetworkError(f"{method} {url} failed after {tries}: {_why(exc)}") from exc
                delay = self._delay(attempt, None)
                reason = _why(exc)
            attempt += 1
            self.on_retry(f"{method} {url}: {reason}; retry {attempt}/{self.retries} in {delay:.1f}s")
            self.sleep(delay)

    def _send(self, method: str, url: str, body: Body | None, headers: dict[str, str]) -> Response:
        # The body is given to the constructor: setting `data` later drops Content-Length, and
        # urllib then sends it chunked, which WSGI servers do not all read.
        data = body.chunks() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - scheme checked by the CLI
        request.add_header("User-Agent", USER_AGENT)
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        for name, value in headers.items():
            request.add_header(name, value)
        if body is not None:
            request.add_header("Content-Type", body.content_type)
            request.add_header("Content-Length", str(body.length))
        try:
            with self._opener.open(request, timeout=self.timeout_s) as answer:
                return Response(answer.status, dict(answer.headers.items()), answer.read(), answer.url)
        except urllib.error.HTTPError as exc:
            error = ApiError(exc.code, exc.read(), url, exc.headers.get("Location"))
            error.retry_after = _retry_after(exc.headers.get("Retry-After"))
            raise error from None

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_DELAY_S)
        # Full jitter: many CI jobs retrying at once do not come back in step.
        return min(MAX_DELAY_S, self.backoff_s * 2**attempt) * random.uniform(0.5, 1.0)


def _quoted(name: str) -> str:
    return name.replace("\\", "_").replace('"', "_").replace("\r", "_").replace("\n", "_")


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare enough to fall back to the backoff


def _refused(exc: BaseException) -> bool:
    return isinstance(getattr(exc, "reason", exc), ConnectionRefusedError)


def _why(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc) or type(exc).__name__
