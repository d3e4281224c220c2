"""The append-only history shared by every thing that has states (submissions, jobs)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    pass


def status_fields(
    statuses: type[models.TextChoices], *, max_length: int
) -> tuple[models.CharField[str, str], models.CharField[str, str]]:
    """An event's `from_status` and `to_status`, in its thing's statuses.

    `from_status` is blank on a thing's first event, which moves it from nowhere.
    """
    return (
        models.CharField(max_length=max_length, choices=statuses.choices, blank=True),
        models.CharField(max_length=max_length, choices=statuses.choices),
    )


class HistoryEvent(models.Model):
    """One move of a state machine: who made it and why. Rows are never changed or deleted.

    Subclasses add the owner's foreign key and `from_status` / `to_status` (status_fields).
    """

    # Null actor: the service itself (validation, a runner, a sweep); the reason says which.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    from_status: Any
    to_status: Any

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}: {self.reason}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(
                f"{self._meta.verbose_name_plural} are append-only: they cannot be changed."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{self._meta.verbose_name_plural} are append-only: they cannot be deleted.")
