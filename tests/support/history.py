"""Reading and testing the append-only history of a thing with states (a submission, a job)."""

from __future__ import annotations

from typing import Any

import pytest

from benchcouncil.history import AppendOnlyError, HistoryEvent


def move(event: HistoryEvent) -> tuple[Any, Any, Any, str]:
    """An event as the move it records: (from, to, who, why)."""
    return (event.from_status, event.to_status, event.actor, event.reason)


def try_to_rewrite(event: HistoryEvent) -> None:
    """Rewrite the event's reason, then delete it: history refuses both."""
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
