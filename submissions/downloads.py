"""The stored bundle as a download: the original bytes, streamed, with their sha256."""

from __future__ import annotations

import base64

from django.http import FileResponse

from .models import Submission

SHA256_HEADER = "X-Bundle-SHA256"


def bundle_response(submission: Submission) -> FileResponse:
    # application/octet-stream whatever the name says: the bytes are the submitter's, possibly
    # not an archive at all, and must never be rendered by the browser.
    response = FileResponse(
        submission.bundle.open("rb"),
        as_attachment=True,
        filename=submission.bundle_name,
        content_type="application/octet-stream",
    )
    response["Content-Length"] = str(submission.bundle_size)
    response[SHA256_HEADER] = submission.bundle_sha256
    # RFC 9530's standard form of the same digest, for clients that check it themselves.
    digest = base64.b64encode(bytes.fromhex(submission.bundle_sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    response["Cache-Control"] = "private, no-store"
    return response
