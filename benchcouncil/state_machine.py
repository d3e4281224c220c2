"""The one state-machine helper: a declared transition table and the one way to move along it.

Every thing that has states (a submission, a runner job, a reproduction check) declares a
StateMachine next to its statuses; its services change a status only through `transition`,
which locks the row, checks the move, saves the new status, appends the history event and
sends the machine's signals. `start` writes the first event of a new row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.apps import apps
from django.db import models, transaction
from django.dispatch import Signal

from .history import HistoryEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Thing = TypeVar("Thing", bound=models.Model)


class TransitionError(Exception):
    """A move the state machine does not allow; each machine has its own subclass."""

    machine: ClassVar[StateMachine]

    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = current, target
        noun, allowed = self.machine.noun, ", ".join(sorted(self.machine.allowed(current))) or "none"
        super().__init__(f"A {noun} cannot move from {current} to {target} (allowed: {allowed}).")


@dataclass(frozen=True)
class StateMachine:
    """Statuses, allowed moves and where the moves are recorded.

    `events` names the append-only HistoryEvent model ("app.Model"), whose foreign key to the
    thing is `subject`; the signals are sent with `sender` the thing's model and the keyword
    arguments `<subject>` (the thing) and `event`. `changing` is sent inside the transaction
    (a receiver that raises undoes the move), `changed` once it commits.
    """

    noun: str
    transitions: Mapping[str, frozenset[str]]
    error: type[TransitionError]
    events: str
    subject: str
    reason_required: str = "Every status change needs a reason."
    changing: Signal | None = field(default=None, compare=False)
    changed: Signal | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # The error names its machine in its message, whoever raises it.
        self.error.machine = self

    @property
    def final(self) -> frozenset[str]:
        """Statuses no move leaves."""
        return frozenset(status for status, targets in self.transitions.items() if not targets)

    def allowed(self, current: str) -> frozenset[str]:
        return self.transitions.get(current, frozenset())

    def check(self, current: str, target: str) -> None:
        if target not in self.allowed(current):
            raise self.error(current, target)

    def event_model(self) -> type[HistoryEvent]:
        model = apps.get_model(self.events)
        assert issubclass(model, HistoryEvent)
        return model


def start(
    machine: StateMachine, thing: models.Model, *, actor: User | None, reason: str, **event_fields: Any
) -> HistoryEvent:
    """The first event of a thing just created, in the status it was created with."""
    return _record(machine, thing, "", _status(thing), actor=actor, reason=reason, **event_fields)


@transaction.atomic
def transition(
    machine: StateMachine,
    thing: Thing,
    *,
    to: str,
    actor: User | None,
    reason: str,
    fields: Mapping[str, Any] | None = None,
    event_fields: Mapping[str, Any] | None = None,
) -> tuple[Thing, HistoryEvent]:
    """Move `thing` to `to`, if its machine allows it, and record who moved it and why.

    `fields` are saved with the status, in the same transaction; `event_fields` go on the
    event. The row is locked first, so two moves of one thing happen one after the other and
    the second is checked against the first's outcome. `thing` gets the saved values too.
    Returns the locked row and the event.
    """
    if not reason.strip():
        raise ValueError(machine.reason_required)
    model = type(thing)
    locked = model._default_manager.select_for_update().get(pk=thing.pk)
    current = _status(locked)
    machine.check(current, to)
    event = _record(machine, locked, current, to, actor=actor, reason=reason, **(event_fields or {}))
    changes = {"status": to, **(fields or {})}
    for name, value in changes.items():
        setattr(locked, name, value)
        setattr(thing, name, value)
    stamped = ["updated_at"] if any(f.name == "updated_at" for f in model._meta.concrete_fields) else []
    locked.save(update_fields=[*changes, *stamped])
    arguments = {"sender": model, machine.subject: locked, "event": event}
    if machine.changing is not None:
        machine.changing.send(**arguments)
    if machine.changed is not None:
        changed = machine.changed
        transaction.on_commit(lambda: changed.send(**arguments))
    return locked, event


def _record(
    machine: StateMachine, thing: models.Model, from_status: str, to_status: str, **fields: Any
) -> HistoryEvent:
    values = {machine.subject: thing, "from_status": from_status, "to_status": to_status, **fields}
    return machine.event_model()._default_manager.create(**values)


def _status(thing: models.Model) -> str:
    status: str = thing.status  # type: ignore[attr-defined]
    return status
