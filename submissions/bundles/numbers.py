"""JSON values the service can store and serve: finite doubles, 64-bit integers, no NUL.

Python's json turns ``1e999`` into ``inf``, keeps integers of any size and decodes ``\\u0000``
to a NUL character. None of these survives the way on: PostgreSQL's JSON and text columns
refuse ``Infinity`` and NUL, a BIGINT column holds 64 bits, and a strict JSON answer has no
``Infinity``. A validation task that stored one would fail and leave its submission stuck in
``validating``, so the bundle's JSON (the files and each MLLOG event) refuses them on parsing.
"""

from __future__ import annotations

import math
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def int64(text: str) -> int:
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"the integer {text[:40]}... does not fit in 64 bits")
    return value


def has_nul(value: Any) -> bool:
    """Whether a decoded JSON value holds a NUL character in a key or a string."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def refuse_nul(text: str, value: Any) -> None:
    # Only the escape can make a NUL: a raw one is not valid JSON, so most texts skip the walk.
    if "u0000" in text and has_nul(value):
        raise ValueError("a string holds the NUL character (code point 0), which cannot be stored")
