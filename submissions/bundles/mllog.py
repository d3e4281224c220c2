"""Parse ``:::MLLOG {json}`` lines into events, reporting bad lines with their numbers.

mlperf-logging supplies the names (its ``constants``). Its own parser
(``compliance_checker.mlp_parser``) does not fit a validator that must never raise and
must point at lines: it numbers only the MLLOG lines (not the file's lines), raises
KeyError on an event without ``key`` or ``metadata``, reads whole files without a limit,
and accepts ``time_ms`` values such as NaN. So the parser is written out here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from mlperf_logging.mllog import constants as mlc

from .numbers import finite_float, int64, refuse_nul
from .report import Finding, error, shown, warning

TOKEN = ":::MLLOG"  # noqa: S105 - the log-line marker, not a secret
EVENT_TYPES = frozenset({mlc.INTERVAL_START, mlc.INTERVAL_END, mlc.POINT_IN_TIME})
# |time_ms| beyond 2**53 ms (285,000 years) is no clock reading, and would not fit the database.
MAX_TIME_MS = 2**53
# Past this many bad lines the log is plainly not an MLLOG log; more findings add nothing.
MAX_LINE_FINDINGS = 20


@dataclass(frozen=True)
class Event:
    line: int
    time_ms: float
    event_type: str
    key: str
    value: Any
    metadata: dict[str, Any]


@dataclass
class ParsedLog:
    name: str
    events: list[Event] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def parse_log(name: str, data: bytes, max_lines: int) -> ParsedLog:
    log = ParsedLog(name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        log.findings.append(
            warning("log.not_utf8", f"{name} is not UTF-8 (byte {exc.start}); bad bytes were replaced", name)
        )
        text = data.decode("utf-8", "replace")
    bad = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if number > max_lines:
            log.findings.append(
                error(
                    "log.too_many_lines",
                    f"{name} has more than {max_lines} lines; trim framework output",
                    name,
                )
            )
            break
        event, problem = parse_line(line, number)
        if event is not None:
            log.events.append(event)
        elif problem is not None:
            bad += 1
            if bad <= MAX_LINE_FINDINGS:
                log.findings.append(
                    error("log.garbage_line", f"{name} line {number}: {problem}", f"{name}:{number}")
                )
    if bad > MAX_LINE_FINDINGS:
        log.findings.append(
            error(
                "log.garbage_line", f"{name}: {bad - MAX_LINE_FINDINGS} more bad MLLOG lines not listed", name
            )
        )
    return log


def parse_line(line: str, number: int) -> tuple[Event | None, str | None]:
    """An event, or the reason an MLLOG line is bad; ``(None, None)`` for other output.

    Text before the token is dropped, as mlperf-logging does: ``mpirun --tag-output``
    prefixes each line with the rank (``[1,0]<stdout>:``).
    """
    start = line.find(TOKEN)
    if start < 0:
        return None, None
    body = line[start + len(TOKEN) :].strip()
    try:
        raw = json.loads(body, parse_constant=_reject_constant, parse_float=finite_float, parse_int=int64)
        refuse_nul(body, raw)
    except (ValueError, RecursionError) as exc:
        return None, f"not a JSON event after {TOKEN} ({_short(exc)})"
    return _event(raw, number)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _event(raw: Any, number: int) -> tuple[Event | None, str | None]:
    if not isinstance(raw, dict):
        return None, "the event is not a JSON object"
    key, event_type, time_ms = raw.get("key"), raw.get("event_type"), raw.get("time_ms")
    metadata = raw.get("metadata", {})
    if not isinstance(key, str) or not key:
        return None, "the event has no 'key'"
    # A list or an object is unhashable: checked as a string first, or the lookup raises.
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        return (
            None,
            f"event {key!r} has event_type {shown(event_type)}; expected one of {sorted(EVENT_TYPES)}",
        )
    if isinstance(time_ms, bool) or not isinstance(time_ms, int | float) or not math.isfinite(time_ms):
        return None, f"event {key!r} has no numeric 'time_ms'"
    if abs(time_ms) > MAX_TIME_MS:
        return None, f"event {key!r} has 'time_ms' {time_ms!r}, out of range for milliseconds since 1970"
    if not isinstance(metadata, dict):
        return None, f"event {key!r} has 'metadata' that is not an object"
    return Event(number, float(time_ms), event_type, key, raw.get("value"), metadata), None
