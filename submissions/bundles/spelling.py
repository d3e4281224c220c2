"""Close misspellings: "did you mean" for a name or a value that is not one we know."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

# How alike a name must be to a known one to be taken for a misspelling of it.
CLOSE = 0.75


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name most like ``name`` (the same but for case first), or None if none is close."""
    names = sorted(set(known) - {name})
    by_case = [other for other in names if other.lower() == name.lower()]
    close = by_case or difflib.get_close_matches(name, names, n=1, cutoff=CLOSE)
    return close[0] if close else None


def did_you_mean(value: Any, known: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` when ``value`` looks like a misspelling of a known X, else ``""``."""
    match = closest(value, known) if isinstance(value, str) else None
    return f"; did you mean {match!r}?" if match else ""


def misspelt_as(wanted: str, present: Iterable[str]) -> str:
    """For a name that is missing: ``"; 'X' looks like a misspelling of it"`` when one present is close."""
    match = closest(wanted, present)
    return f"; {match!r} looks like a misspelling of it: did you mean {wanted!r}?" if match else ""
