"""Upload a bundle, then follow the submission until it reaches a status worth stopping at."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import INVALID, OK, UsageError
from .http import ApiClient, multipart_body
from .polling import Polling

SUBMISSIONS = "api/v1/submissions/"
IDEMPOTENCY_HEADER = "Idempotency-Key"

# Where a CI job can stop: after validation (a person reviews next), or once review is done.
PENDING_VALIDATION = frozenset({"received", "validating"})
PENDING_REVIEW = PENDING_VALIDATION | {"awaiting_review"}
SUCCESS = frozenset({"awaiting_review", "published"})
UNTIL = {"validated": PENDING_VALIDATION, "published": PENDING_REVIEW}
# A line at least this often while nothing moves, so a CI log shows the job is alive.
HEARTBEAT_S = 60.0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Submitted:
    submission: dict[str, Any]
    created: bool
    idempotency_key: str


def submit_bundle(
    client: ApiClient, bundle: Path, *, idempotency_key: str | None = None, organization: str | None = None
) -> Submitted:
    """Upload `bundle`; the key defaults to its sha256, so re-running the same CI step is safe."""
    if not bundle.is_file():
        raise UsageError(f"{bundle} is not a file")
    key = idempotency_key or file_sha256(bundle)
    fields = {"organization": organization} if organization else {}
    answer = client.post(
        SUBMISSIONS, multipart_body(fields, {"bundle": bundle}), headers={IDEMPOTENCY_HEADER: key}
    )
    return Submitted(submission=answer.json(), created=answer.status == 202, idempotency_key=key)


def submission_path(ref: str) -> str:
    """An id or the URL the upload answered with."""
    if ref.startswith(("http://", "https://")):
        return ref
    return f"{SUBMISSIONS}{ref.strip('/')}/"


def wait_for_submission(
    client: ApiClient,
    ref: str,
    *,
    until: str = "validated",
    polling: Polling,
) -> tuple[int, dict[str, Any]]:
    """Poll until the status leaves the pending set of `until`; returns (exit code, submission)."""
    pending = UNTIL[until]
    started = last_line = polling.clock()
    seen_events = 0
    last_status = None
    while True:
        submission = client.get_json(submission_path(ref))
        events = submission.get("events") or []
        status = submission.get("status")
        lines = [_event_line(polling.elapsed(started), event) for event in events[seen_events:]]
        if not lines and (status != last_status or polling.elapsed(last_line) >= HEARTBEAT_S):
            lines = [f"{_elapsed(polling.elapsed(started))} {status}"]
        for line in lines:
            polling.on_progress(line)
            last_line = polling.clock()
        seen_events, last_status = max(seen_events, len(events)), status
        if status not in pending:
            return (OK if status in SUCCESS else INVALID), submission
        named = submission.get("id", ref)
        hint = f"; follow it with: benchcouncil wait {named}"
        polling.pause(started, f"submission {named} is still {status}", hint)


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"[{minutes:02d}:{secs:02d}]"


def _event_line(elapsed: float, event: dict[str, Any]) -> str:
    moved = f"{event.get('from_status') or '-'} -> {event.get('to_status')}"
    return f"{_elapsed(elapsed)} {moved}: {event.get('reason', '')}".rstrip(": ")


def run_line(run: dict[str, Any]) -> str:
    """One run as the bundle names it (its log), with only the figures the log gave."""
    parts = [str(run.get("log_name") or f"run {run.get('index')}")]
    parts.append("converged" if run.get("converged") else "NOT converged")
    if run.get("achieved_quality") is not None:
        parts.append(f"quality {run['achieved_quality']:.4g}")
    if run.get("time_to_quality_s") is not None:
        parts.append(f"to quality {run['time_to_quality_s']:.0f} s")
    elif run.get("time_to_train_s") is not None:
        parts.append(f"did not reach the target; ran {run['time_to_train_s']:.0f} s")
    else:
        parts.append("did not reach the target")
    return ", ".join(parts)


def describe(submission: dict[str, Any]) -> str:
    """A few lines a person reads at the end of a CI log: verdict, what it is, what is wrong."""
    lines = [f"submission {submission.get('id')}: {submission.get('status') or 'unknown status'}"]
    what = "/".join(str(submission.get(k)) for k in ("suite", "benchmark", "level") if submission.get(k))
    if what:
        lines.append(f"  {what}")
    links = submission.get("links") or {}
    if links.get("html"):
        lines.append(f"  {links['html']}")
    lines += [f"  {run_line(run)}" for run in submission.get("runs") or []]
    for finding in submission.get("findings") or []:
        severity = str(finding.get("severity", "")).upper()
        where = f" ({finding['location']})" if finding.get("location") else ""
        lines.append(f"  {severity:7} {finding.get('code')}: {finding.get('message')}{where}")
    return "\n".join(lines) + "\n"
