"""The hard upload limit, enforced while the request body is read, before anything is stored.

Above settings.UPLOAD_HARD_LIMIT_BYTES a request is refused with 413: its declared
Content-Length is checked before a byte is read, and the bytes actually streamed are counted
as they arrive, so a client that sends no or a wrong length cannot fill the temporary disk.
Bundles under the hard limit but over BUNDLE_MAX_BYTES are stored and rejected by validation.
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

REFUSED_ATTR = "bundle_upload_refused"


def hard_limit_message() -> str:
    limit_mib = settings.UPLOAD_HARD_LIMIT_BYTES / (1024 * 1024)
    return (
        f"The upload is larger than {limit_mib:.0f} MiB, the most this service accepts; nothing was "
        "stored. Leave data sets and checkpoints out of the bundle."
    )


class HardLimitUploadHandler(FileUploadHandler):
    """First in the handler chain: refuses an oversize body and passes every other chunk on."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, REFUSED_ATTR, True)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803
        if content_length and content_length > settings.UPLOAD_HARD_LIMIT_BYTES:
            self._refuse()
            # Returning the (empty) result ends parsing here: not one byte of the body is read.
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_HARD_LIMIT_BYTES:
            self._refuse()
            # connection_reset: do not read the rest of an oversize body just to discard it.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def install_hard_limit(request: HttpRequest) -> None:
    """Put the limit in front of Django's handlers; call before the body is parsed."""
    request.upload_handlers.insert(0, HardLimitUploadHandler(request))


def upload_refused(request: HttpRequest) -> bool:
    return bool(getattr(request, REFUSED_ATTR, False))


def file_sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()
