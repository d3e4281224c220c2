"""The runner host's HTTP client for the service's runner API, over the shared benchcouncil_http.

Runner hosts need neither Django nor a database: everything they tell the service goes
through these calls, authenticated with the host token or the job's secret.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import benchcouncil_http as http

logger = logging.getLogger(__name__)

RETRIES = 2
USER_AGENT = "benchcouncil-runner/1"
# The service restarting or a network blip: a few quick tries before the caller decides.
RETRYING = http.Retrying(retries=RETRIES, backoff_s=1.0, on_retry=lambda text: logger.warning("%s", text))


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


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"detail": raw[:500].decode("utf-8", "replace")}
    return data if isinstance(data, dict) else {"data": data}


class _Client:
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = http.session(USER_AGENT)

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json"}

    def _post(self, path: str, body: http.Body, timeout: float) -> Response:
        url = self.base_url + path
        try:
            answer = http.send(
                self._session,
                "POST",
                url,
                timeout=timeout,
                retrying=RETRYING,
                body=body,
                headers=self._headers(),
            )
        except http.StatusError as exc:
            return Response(exc.answer.status, _json(exc.answer.body))
        except http.TransportError as exc:
            raise ServiceError(0, f"cannot reach {url}: {exc}") from exc
        return Response(answer.status, _json(answer.body))

    def post_json(self, path: str, payload: dict[str, Any]) -> Response:
        return self._post(path, http.json_body(payload), self.timeout)

    def post_file(self, path: str, field: str, file: Path) -> Response:
        # Streamed from disk: a bundle is never read whole into memory.
        body = http.multipart_body({}, {field: file}, file_type="application/gzip")
        return self._post(path, body, max(self.timeout, 300.0))


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
