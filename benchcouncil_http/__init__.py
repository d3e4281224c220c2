"""HTTP for every client of ours: the command-line client, a runner host's worker, webhooks.

One library set up one way: requests sessions (`session`) with a user agent and a redirect
policy, bodies that stream from disk (requests-toolbelt's multipart encoder: a 1 GiB bundle is
never held in memory), and one retry loop (`send`) with timeouts, exponential backoff with full
jitter and Retry-After. The loop, not urllib3's Retry, retries: a streamed body is made anew for
each attempt, and each retry is told to the caller (the CLI prints it).

Outside the `benchcouncil` package on purpose: a runner host and the client distribution import
it without the web tier's Celery app, which `benchcouncil/__init__.py` starts.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests
from requests_toolbelt import MultipartEncoder

# Worth retrying: the service restarting, overloaded, or behind a proxy that lost it.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Surely not processed: what a non-idempotent request may retry.
NOT_PROCESSED_STATUSES = frozenset({429, 503})
MAX_DELAY_S = 30.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str


class StatusError(Exception):
    """An error status (4xx, 5xx, or a redirect not followed), after the retries worth making."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.retry_after = retry_after_s(answer.headers.get("Retry-After"))
        super().__init__(f"{answer.url}: HTTP {answer.status}")


class TransportError(Exception):
    """No answer at all (refused, reset, timed out, name unknown), after the retries."""


@dataclass
class Body:
    """A request body made anew for each attempt, so that a retry sends it whole again.

    `make` opens what it streams from on the stack it is given, which closes them after the
    attempt; it returns the data (bytes or a file-like object) and its Content-Type.
    """

    make: Callable[[ExitStack], tuple[bytes | IO[bytes] | MultipartEncoder, str]]


def bytes_body(data: bytes, content_type: str) -> Body:
    return Body(lambda stack: (data, content_type))


def json_body(payload: Any) -> Body:
    return bytes_body(json.dumps(payload).encode(), "application/json")


def multipart_body(
    fields: Mapping[str, str], files: Mapping[str, Path], *, file_type: str = "application/octet-stream"
) -> Body:
    """multipart/form-data streamed from disk, with the file's length known up front."""

    def make(stack: ExitStack) -> tuple[MultipartEncoder, str]:
        parts: dict[str, Any] = dict(fields)
        for name, path in files.items():
            parts[name] = (_quoted(path.name), stack.enter_context(path.open("rb")), file_type)
        encoder = MultipartEncoder(fields=parts)
        return encoder, encoder.content_type

    return Body(make)


class _NoRedirects(requests.Session):
    def get_redirect_target(self, resp: requests.Response) -> None:
        # requests reads a redirect's whole body before deciding; with no target it reads none.
        return None


def session(user_agent: str, *, trust_env: bool = True, redirects: bool = True) -> requests.Session:
    """A session that names its client; `trust_env=False` ignores proxy and netrc settings;
    `redirects=False` follows none, whatever the method, and leaves a redirect's body unread."""
    new = requests.Session() if redirects else _NoRedirects()
    new.headers["User-Agent"] = user_agent
    new.trust_env = trust_env
    return new


@dataclass
class Retrying:
    """How `send` retries: up to `retries` more attempts, backing off from `backoff_s`."""

    retries: int = 5
    backoff_s: float = 1.0
    on_retry: Callable[[str], None] = lambda message: None
    sleep: Callable[[float], None] = field(default=time.sleep)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_DELAY_S)
        # Full jitter: many clients retrying at once do not come back in step.
        return min(MAX_DELAY_S, self.backoff_s * 2**attempt) * random.uniform(0.5, 1.0)  # noqa: S311


def send(
    http: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    retrying: Retrying,
    body: Body | None = None,
    headers: Mapping[str, str] | None = None,
    idempotent: bool = True,
    max_answer_bytes: int | None = None,
) -> Answer:
    """Send, retrying what is worth retrying; `idempotent=False` retries only what was surely
    not processed (429, 503, a refused connection), so that a retry never does the work twice.

    Redirects are followed for GET and HEAD only (requests drops the Authorization header when
    one leaves the host); any other method stops at a redirect, answered as a StatusError: a
    POST that became a GET without its body would seem to succeed with the answer of a list.
    `max_answer_bytes` reads at most that much of an answer's body (a webhook's endpoint is
    not ours).
    """
    retry_statuses = RETRY_STATUSES if idempotent else NOT_PROCESSED_STATUSES
    attempt = 0
    while True:
        try:
            answer = _attempt(http, method, url, timeout, body, headers or {}, max_answer_bytes)
            if answer.status < 300 or (answer.status < 400 and answer.status not in REDIRECT_STATUSES):
                return answer
            raise StatusError(answer)
        except StatusError as exc:
            if exc.answer.status not in retry_statuses or attempt >= retrying.retries:
                raise
            delay = retrying.delay(attempt, exc.retry_after)
            reason = f"HTTP {exc.answer.status}"
        except (requests.RequestException, OSError) as exc:
            if attempt >= retrying.retries or not (idempotent or _refused(exc)):
                tries = f"{attempt + 1} attempt(s)"
                raise TransportError(f"{method} {url} failed after {tries}: {why(exc)}") from exc
            delay = retrying.delay(attempt, None)
            reason = why(exc)
        attempt += 1
        retrying.on_retry(f"{method} {url}: {reason}; retry {attempt}/{retrying.retries} in {delay:.1f}s")
        retrying.sleep(delay)


def _attempt(
    http: requests.Session,
    method: str,
    url: str,
    timeout: float,
    body: Body | None,
    headers: Mapping[str, str],
    max_answer_bytes: int | None,
) -> Answer:
    with ExitStack() as stack:
        data, content_type = body.make(stack) if body is not None else (None, "")
        sent = dict(headers)
        if content_type:
            sent["Content-Type"] = content_type
        follow = method in ("GET", "HEAD")
        answer = http.request(
            method, url, data=data, headers=sent, timeout=timeout, allow_redirects=follow, stream=True
        )
        with answer:
            if max_answer_bytes is None:
                content = answer.content
            else:
                content = answer.raw.read(max_answer_bytes, decode_content=True)
            return Answer(answer.status_code, answer.headers, content, answer.url or url)


def retry_after_s(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare enough to fall back to the backoff


def _quoted(name: str) -> str:
    return name.replace("\\", "_").replace('"', "_").replace("\r", "_").replace("\n", "_")


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps: requests wraps urllib3's error, which wraps the socket's."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10 and all(current is not c for c in chain):
        chain.append(current)
        reason = getattr(current, "reason", None)
        wrapped = next((a for a in current.args if isinstance(a, BaseException)), None)
        current = (
            reason
            if isinstance(reason, BaseException)
            else wrapped or current.__cause__ or current.__context__
        )
    return chain


def _refused(exc: BaseException) -> bool:
    return any(isinstance(e, ConnectionRefusedError) for e in _causes(exc))


def why(exc: BaseException) -> str:
    """The innermost reason, as the socket says it ("[Errno 111] Connection refused")."""
    chain = _causes(exc)
    inner = next((e for e in reversed(chain) if isinstance(e, OSError) and e.errno is not None), chain[-1])
    return str(inner) or type(inner).__name__
