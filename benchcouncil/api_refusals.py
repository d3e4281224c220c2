"""How the API answers a service's refusal: 403 for who asked, 409 for the thing's status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied

from .state_machine import TransitionError


class StatusConflict(APIException):
    """A move its status does not allow; the body names that status, for the caller to re-read."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "status_conflict"

    def __init__(self, exc: TransitionError) -> None:
        super().__init__({"detail": str(exc), "status": exc.current})


@contextmanager
def service_refusals() -> Iterator[None]:
    """Within it, a service's PermissionDenied answers 403 and a refused move 409, with its reason."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except TransitionError as exc:
        raise StatusConflict(exc) from exc
