"""The bounds of query parameters, in one place, and the middleware that keeps out values no
parameter may hold.

Every page and API answer reads its parameters through these bounds: a value outside them is
answered 400 with a message that names the parameter, never a 500 from a date that overflows
or an offset the database cannot hold.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

# Past this page nothing is listed anywhere (50 rows a page: five million rows).
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200
# A longer value is no slug, name or date: refused before any view reads it.
MAX_VALUE_CHARS = 1000
MAX_VALUES = 200


def page_number(raw: str | None) -> int:
    """1 for no value; ValueError with the reason for anything but 1..MAX_PAGE."""
    if raw in (None, ""):
        return 1
    if not str(raw).isdigit() or not 1 <= int(str(raw)) <= MAX_PAGE:
        raise ValueError(f"page must be a whole number from 1 to {MAX_PAGE}.")
    return int(str(raw))


def page_size(raw: str | None, default: int) -> int:
    if raw in (None, ""):
        return default
    if not str(raw).isdigit() or not 1 <= int(str(raw)) <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}.")
    return int(str(raw))


def latest_as_of() -> date:
    """The latest day a board can be asked for: tomorrow (UTC), whatever the reader's zone."""
    return datetime.now(UTC).date() + timedelta(days=1)


def check_as_of(day: date) -> date:
    if day > latest_as_of():
        raise ValueError(f"as_of must be a date no later than {latest_as_of().isoformat()}.")
    return day


def _problem(request: HttpRequest) -> str | None:
    if len(request.GET) > MAX_VALUES:
        return f"At most {MAX_VALUES} query parameters."
    for name, values in request.GET.lists():
        for value in [name, *values]:
            if "\x00" in value:
                return f"The parameter {name[:50]!r} holds a NUL character."
            if len(value) > MAX_VALUE_CHARS:
                return f"The parameter {name[:50]!r} is longer than {MAX_VALUE_CHARS} characters."
    return None


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "invalid_parameter"}, status=400)
    return render(request, "errors/400.html", {"message": message, "back": request.path}, status=400)


class QueryParameterMiddleware:
    """Refuses (400) a query string no parameter may hold: NUL characters, which PostgreSQL
    cannot compare, values longer than any slug or name, or hundreds of parameters."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        problem = _problem(request)
        if problem is not None:
            return bad_request(request, problem)
        return self.get_response(request)
