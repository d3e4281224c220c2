"""Uploaded bundles: their digest, and the bundle limit (settings.BUNDLE_MAX_BYTES) in one place.

The request limit (UPLOAD_HARD_LIMIT_BYTES: 413, nothing stored) is benchcouncil/upload_limit.py.
Under it, a bundle over BUNDLE_MAX_BYTES is refused by validation with one finding and is never
read, whether a submitter uploaded it or a runner sent it back.
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.conf import settings

from submissions.bundles import BundleReport, Limits, validate_bundle
from submissions.bundles.report import error

OVERSIZE_CODE = "archive.too_large"


def file_digest(stream: IO[bytes]) -> tuple[str, int]:
    """The sha256 and size of a file read from its start, chunk by chunk; left rewound."""
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def file_sha256(stream: IO[bytes]) -> str:
    return file_digest(stream)[0]


def bundle_validate(stream: IO[bytes], bundle_name: str, *, size: int, sha256: str) -> BundleReport:
    """The validator's report on a bundle, streamed from `stream` (never held whole in memory)."""
    if size > settings.BUNDLE_MAX_BYTES:
        return _oversize_report(bundle_name, size=size, sha256=sha256)
    stream.seek(0)
    report = validate_bundle(stream, bundle_name, limits=Limits(max_archive_bytes=settings.BUNDLE_MAX_BYTES))
    stream.seek(0)
    return report


def _oversize_report(bundle_name: str, *, size: int, sha256: str) -> BundleReport:
    limit_mib = settings.BUNDLE_MAX_BYTES / (1024 * 1024)
    message = (
        f"The bundle is {size} bytes; bundles may be at most {limit_mib:.0f} MiB. "
        "Leave datasets and checkpoints out; logs, descriptions and code are enough."
    )
    return BundleReport(sha256=sha256, size=size, findings=[error(OVERSIZE_CODE, message, bundle_name)])
