"""Parse ``:::MLLOG {json}`` lines into events, reporting bad lines with their numbers.

mlperf-logging supplies the names (its ``constants``). Its own parser
(``compliance_checker.mlp_parser``) does not fit a validator that must never raise and
must point at lines: it numbers only the MLLOG lines (not the file's lines), raises
KeyError on an event without ``key`` or ``metadata``, reads whole files without a limit,
and accepts ``time_ms`` values such as NaN. So the parser is written out here.

Lines are decoded with orjson, and with the standard library's json where orjson's answer
could differ from it (an error, or an integer past 64 bits signed), so that what is
accepted, and every message, is what the strict ``json.loads`` says.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from mlperf_logging.mllog import constants as mlc

from .findings import FindingSink
from .log_lines import LogLines
from .log_summary import Event, Fields, LogSummary, ValueBudget, collect
from .mlperf import infer_event_type
from .numbers import INT64_MAX, INT64_MIN, finite_float, int64, refuse_nul
from .report import Limits, error, shown

SEED = mlc.SEED
TOKEN = ":::MLLOG"  # noqa: S105 - the log-line marker, not a secret
EVENT_TYPES = frozenset({mlc.INTERVAL_START, mlc.INTERVAL_END, mlc.POINT_IN_TIME})
# |time_ms| beyond 2**53 ms (285,000 years) is no clock reading, and would not fit the database.
MAX_TIME_MS = 2**53
# Past this many bad lines the log is plainly not an MLLOG log; more findings add nothing.
MAX_LINE_FINDINGS = 20

__all__ = ["Event", "Fields", "ParsedLog", "parse_line", "parse_log"]


class ParsedLog(LogSummary):
    """A log's summary together with every event it holds, for tools and tests of small logs."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.events: list[Event] = []


def parse_log(
    name: str,
    data: bytes | Iterable[bytes],
    max_lines: int,
    *,
    keep: Callable[[str], bool] | None = None,
    keep_events: bool = True,
    max_line_bytes: int = Limits.max_line_bytes,
    budget: ValueBudget | None = None,
) -> ParsedLog:
    """Read a log (bytes, or its chunks as they arrive) into a summary of its key events.

    ``keep`` says which run-wide point-in-time keys to hold (None: all); with
    ``keep_events`` every event is listed too, which only a small log can afford.
    """
    log = ParsedLog(name)
    sink = FindingSink(per_file=MAX_LINE_FINDINGS)
    lines = LogLines(name, max_lines, max_line_bytes, sink)
    chunks = [data] if isinstance(data, bytes) else data
    events = _events(lines.read(chunks), name, sink, log, keep_events)
    collect(log, events, keep, budget)
    log.finish(lines.not_utf8, sink)
    return log


def _events(
    lines: Iterable[tuple[int, str]], name: str, sink: FindingSink, log: ParsedLog, keep_events: bool
) -> Iterable[tuple[int, Fields]]:
    events = log.events if keep_events else None
    digest = log.digest.update
    for number, line in lines:
        fields = parse_fields(line)
        if isinstance(fields, str):
            sink.add(error("log.garbage_line", f"{name} line {number}: {fields}", f"{name}:{number}"))
            continue
        if fields is None:
            continue
        # The events apart from the seed, as written: two runs alike in all of them are one run.
        if fields[0] == SEED:
            log.seed_logged = True
        else:
            digest(line.encode())
        if events is not None:
            events.append(Event(number, fields[2], fields[1], fields[0], fields[3], fields[4]))
        yield number, fields


def parse_line(line: str, number: int) -> tuple[Event | None, str | None]:
    """An event, or the reason an MLLOG line is bad; ``(None, None)`` for other output."""
    fields = parse_fields(line)
    if fields is None or isinstance(fields, str):
        return None, fields
    key, event_type, time_ms, value, metadata = fields
    return Event(number, time_ms, event_type, key, value, metadata), None


def parse_fields(line: str) -> Fields | str | None:
    """An event's fields, or the reason an MLLOG line is bad; None for other output.

    Text before the token is dropped, as mlperf-logging does: ``mpirun --tag-output``
    prefixes each line with the rank (``[1,0]<stdout>:``).
    """
    start = line.find(TOKEN)
    if start < 0:
        return None
    body = line[start + len(TOKEN) :].strip()
    try:
        raw = _decode(body)
        refuse_nul(body, raw)
    except (ValueError, RecursionError) as exc:
        return f"not a JSON event after {TOKEN} ({_short(exc)})"
    return _fields(raw)


def _decode(body: str) -> Any:
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError:
        raw = _MISSING  # the standard library says why, in its own words
    if raw is _MISSING or _maybe_past_int64(raw):
        return json.loads(body, parse_constant=_reject_constant, parse_float=finite_float, parse_int=int64)
    return raw


_MISSING = object()
_INT64_SPAN = float(2**63)


def _maybe_past_int64(value: Any) -> bool:
    """Whether a decoded value may come from an integer past 64 bits signed.

    orjson reads integers up to 2**64 as ints and larger ones as floats, so an int out of
    the int64 range, or a float of at least 2**63 (which a plain float like 1e19 may be
    too), sends the text to the standard library, which tells them apart.
    """
    kind = type(value)
    if kind is dict:
        items = value.values()
    elif kind is list:
        items = value
    else:
        return _number_past_int64(value)
    for item in items:  # scalars inline: a call per container, not per value
        kind = type(item)
        if kind is int:
            if not INT64_MIN <= item <= INT64_MAX:
                return True
        elif kind is float:
            if not -_INT64_SPAN < item < _INT64_SPAN:
                return True
        elif (kind is dict or kind is list) and _maybe_past_int64(item):
            return True
    return False


def _number_past_int64(value: Any) -> bool:
    kind = type(value)
    if kind is int:
        return not INT64_MIN <= value <= INT64_MAX
    return kind is float and not -_INT64_SPAN < value < _INT64_SPAN


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _fields(raw: Any) -> Fields | str:
    # Exact type checks: decoded JSON holds exactly these types, and a JSON true or false,
    # an int to isinstance, is no number here.
    if type(raw) is not dict:
        return "the event is not a JSON object"
    key, event_type = raw.get("key"), raw.get("event_type")
    time_ms: Any = raw.get("time_ms")
    metadata = raw.get("metadata", {})
    if type(key) is not str or not key:
        return "the event has no 'key'"
    if "event_type" not in raw:
        event_type = infer_event_type(key)
    # A list or an object is unhashable: checked as a string first, or the lookup raises.
    if type(event_type) is not str or event_type not in EVENT_TYPES:
        return f"event {key!r} has event_type {shown(event_type)}; expected one of {sorted(EVENT_TYPES)}"
    kind = type(time_ms)
    if not (kind is int or (kind is float and math.isfinite(time_ms))):
        return f"event {key!r} has no numeric 'time_ms'"
    if abs(time_ms) > MAX_TIME_MS:
        return f"event {key!r} has 'time_ms' {time_ms!r}, out of range for milliseconds since 1970"
    if type(metadata) is not dict:
        return f"event {key!r} has 'metadata' that is not an object"
    return key, event_type, float(time_ms), raw.get("value"), metadata
