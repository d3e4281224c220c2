"""MLLOG lines decode exactly as the strict standard-library json decodes them, orjson or not."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from submissions.bundles.mllog import parse_fields
from submissions.bundles.numbers import finite_float, int64, refuse_nul


def _reject(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _strict(body: str) -> object:
    try:
        value = json.loads(body, parse_constant=_reject, parse_float=finite_float, parse_int=int64)
        refuse_nul(body, value)
        return value
    except (ValueError, RecursionError) as exc:
        return ("error", str(exc)[:117])


_NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1e400", "-1e400", "1e19", "18446744073709551616", "-9223372036854775809", "NaN"]),
)
_VALUES = st.recursive(
    st.none() | st.booleans() | _NUMBERS | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def _text(value: object) -> str:
    if isinstance(value, str) and value[:1] in "1-N" and value.lstrip("-").replace("e", "").isalnum():
        return value  # a number as raw text
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_text(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@settings(max_examples=300, deadline=None)
@given(value=_VALUES)
def test_it_decodes_every_line_as_the_strict_json_does(value):
    body = '{"key": "k", "event_type": "POINT_IN_TIME", "time_ms": 1, "value": ' + _text(value) + "}"
    expected = _strict(body)
    got = parse_fields(":::MLLOG " + body)
    if isinstance(expected, tuple):
        assert isinstance(got, str) and got.startswith("not a JSON event after :::MLLOG (")
        assert expected[1][:60] in got
    else:
        assert isinstance(got, tuple)
        assert repr(got[3]) == repr(expected["value"])  # type: ignore[index]
