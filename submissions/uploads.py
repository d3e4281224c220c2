"""Helpers for uploaded bundles. The upload limit itself is benchcouncil/upload_limit.py."""

from __future__ import annotations

import hashlib
from typing import IO


def file_sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()
