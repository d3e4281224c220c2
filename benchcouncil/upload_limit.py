"""The one upload limit, for every path that takes a request body, before anything is stored.

Above settings.UPLOAD_HARD_LIMIT_BYTES a request is refused with 413 by UploadLimitMiddleware:
its declared Content-Length is checked before a byte of the body is read, so no view, no
authentication and no CSRF check runs. HardLimitUploadHandler, first in FILE_UPLOAD_HANDLERS,
also counts the bytes a multipart body actually streams and stops reading past the limit; the
middleware then answers 413 whatever the view made of the truncated form (a truncated file
never reaches a view: Django drops a file whose upload did not complete).
Bundles under the hard limit but over BUNDLE_MAX_BYTES are stored and rejected by validation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

REFUSED_ATTR = "upload_refused"
CODE = "upload_too_large"


def hard_limit_message() -> str:
    limit_mib = settings.UPLOAD_HARD_LIMIT_BYTES / (1024 * 1024)
    return (
        f"The upload is larger than {limit_mib:.0f} MiB, the most this service accepts; nothing was "
        "stored. Leave data sets and checkpoints out of the bundle."
    )


def upload_refused(request: HttpRequest) -> bool:
    return bool(getattr(request, REFUSED_ATTR, False))


def _refuse(request: HttpRequest | None) -> None:
    if request is not None:
        setattr(request, REFUSED_ATTR, True)


class HardLimitUploadHandler(FileUploadHandler):
    """First in the handler chain: refuses an oversize body and passes every other chunk on."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803
        if content_length and content_length > settings.UPLOAD_HARD_LIMIT_BYTES:
            _refuse(self.request)
            # Returning the (empty) result ends parsing here: not one byte of the body is read.
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_HARD_LIMIT_BYTES:
            _refuse(self.request)
            # connection_reset: do not read the rest of an oversize body just to discard it.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def too_large_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"detail": hard_limit_message(), "code": CODE, "limit_bytes": settings.UPLOAD_HARD_LIMIT_BYTES}
        return JsonResponse(body, status=413)
    context = {"message": hard_limit_message(), "back": request.path}
    return render(request, "errors/413.html", context, status=413)


class UploadLimitMiddleware:
    """Outermost but for the request id: a refused body is never read, whatever the path."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if _declared_length(request) > settings.UPLOAD_HARD_LIMIT_BYTES:
            return too_large_response(request)
        response = self.get_response(request)
        if upload_refused(request):
            return too_large_response(request)
        return response
