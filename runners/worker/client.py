"""The runner host's HTTP client for the service's runner API (stdlib urllib only).

Runner hosts need neither Django nor a database: everything they tell the service goes
through these calls, authenticated with the host token or the job's secret.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

RETRIES = 3


class ServiceError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        self.status, self.detail = status, detail
        super().__init__(f"HTTP {status}: {detail}")


class JobRevoked(ServiceError):
    """The service no longer accepts this job's secret (re-queued, or gone): stop working on it."""


@dataclass
class Response:
    status: int
    data: dict[str, Any]


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) URL from config
    for attempt in range(1, RETRIES + 1):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                return Response(answer.status, _json(answer.read()))
        except urllib.error.HTTPError as exc:
            data = _json(exc.read())
            if exc.code >= 500 and attempt < RETRIES:
                time.sleep(attempt)
                continue
            return Response(exc.code, data)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            # The service restarting or a network blip: try again before giving up.
            if attempt == RETRIES:
                raise ServiceError(0, f"cannot reach {url}: {exc}") from exc
            logger.warning("POST %s failed (%s); retrying", url, exc)
            time.sleep(attempt)
    raise AssertionError("unreachable")


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"detail": raw[:500].decode("utf-8", "replace")}
    return data if isinstance(data, dict) else {"data": data}


def _multipart(field: str, path: Path) -> tuple[bytes, str]:
    boundary = f"----benchcouncil-{secrets.token_hex(12)}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{path.name}"\r\n'
        "Content-Type: application/gzip\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + path.read_bytes() + tail, f"multipart/form-data; boundary={boundary}"


class _Client:
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json"}

    def post_json(self, path: str, payload: dict[str, Any]) -> Response:
        headers = {**self._headers(), "Content-Type": "application/json"}
        return _post(self.base_url + path, json.dumps(payload).encode(), headers, self.timeout)

    def post_file(self, path: str, field: str, file: Path) -> Response:
        body, content_type = _multipart(field, file)
        headers = {**self._headers(), "Content-Type": content_type}
        return _post(self.base_url + path, body, headers, max(self.timeout, 300.0))


class HostClient(_Client):
    def __init__(self, base_url: str, host_token: str, timeout: float = 30.0) -> None:
        super().__init__(base_url, timeout)
        self.host_token = host_token

    def _headers(self) -> dict[str, str]:
        return {**super()._headers(), "Authorization": f"RunnerHost {self.host_token}"}

    def report(self, report: dict[str, Any], system_description: dict[str, Any]) -> dict[str, Any]:
        answer = self.post_json(
            "/api/v1/runner/hosts/report/", {"report": report, "system_description": system_description}
        )
        if answer.status != 200:
            raise ServiceError(answer.status, str(answer.data.get("detail", answer.data)))
        return answer.data


class JobClient(_Client):
    """Calls about one job, with that job's secret."""

    def __init__(
        self, base_url: str, job_id: str, secret: str, host_token: str = "", timeout: float = 30.0
    ) -> None:
        super().__init__(base_url, timeout)
        self.job_id, self.secret, self.host_token = job_id, secret, host_token

    def _headers(self) -> dict[str, str]:
        headers = {**super()._headers(), "Authorization": f"JobSecret {self.secret}"}
        if self.host_token:
            headers["X-Runner-Host-Token"] = self.host_token
        return headers

    def _path(self, action: str) -> str:
        return f"/api/v1/runner/jobs/{self.job_id}/{action}/"

    def _check(self, answer: Response, *ok: int) -> dict[str, Any]:
        if answer.status in (401, 403, 404):
            raise JobRevoked(answer.status, str(answer.data.get("detail", "")))
        if answer.status not in ok:
            raise ServiceError(answer.status, str(answer.data.get("detail", answer.data)))
        return answer.data

    def heartbeat(self) -> dict[str, Any]:
        """{"status": ..., "cancel": bool}: cancel means stop now."""
        return self._check(self.post_json(self._path("heartbeat"), {}), 200)

    def progress(self, progress: dict[str, Any], log_tail: str) -> dict[str, Any]:
        answer = self.post_json(self._path("progress"), {"progress": progress, "log_tail": log_tail})
        return self._check(answer, 200, 409)

    def scheduler(self, report: dict[str, Any]) -> dict[str, Any]:
        """What the cluster's scheduler says of the job; the answer as heartbeat's."""
        return self._check(self.post_json(self._path("scheduler"), report), 200)

    def upload_bundle(self, bundle: Path) -> dict[str, Any]:
        return self._check(self.post_file(self._path("bundle"), "bundle", bundle), 200, 201)

    def fail(self, reason: str) -> dict[str, Any]:
        return self._check(self.post_json(self._path("failure"), {"reason": reason[:4000]}), 200, 409)
