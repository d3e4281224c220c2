"""Logs are read as streams: however the bytes are cut into chunks, the reading is the same."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from submissions.bundles.mllog import parse_log

GOOD = ':::MLLOG {"time_ms": 1, "event_type": "POINT_IN_TIME", "key": "seed", "value": 7}'
LIMIT = 200


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:], strict=False)]


def _read(data: bytes | list[bytes], max_lines: int = 1000):
    return parse_log("logs/run_1.log", data, max_lines, max_line_bytes=LIMIT)


_LINES = st.lists(
    st.one_of(
        st.just(GOOD),
        st.just(":::MLLOG {not json"),
        st.just(GOOD.replace("7}", '"' + "x" * 300 + '"}')),  # an MLLOG line over the limit
        st.just("progress " * 60),  # a long line of other output: ignored
        st.just("caf\xe9 \u00e9t\u00e9"),
        st.just(""),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(
    lines=_LINES,
    bad_byte=st.booleans(),
    cuts=st.lists(st.integers(0, 8000), max_size=12),
    max_lines=st.integers(1, 30),
)
def test_it_reads_a_log_the_same_in_any_chunks(lines, bad_byte, cuts, max_lines):
    data = "\n".join(lines).encode()
    if bad_byte:
        data = data[: len(data) // 2] + b"\xff" + data[len(data) // 2 :]
    whole = _read(data, max_lines)
    streamed = _read(_chunks(data, cuts), max_lines)
    assert streamed.findings == whole.findings
    assert streamed.events == whole.events


def test_it_reports_an_mllog_line_over_the_limit_without_reading_it():
    long = GOOD.replace("7}", '"' + "x" * 5000 + '"}')
    data = f"{GOOD}\n{long}\n{GOOD}\n".encode()
    log = _read(_chunks(data, list(range(0, len(data), 64))))
    [finding] = log.findings
    assert (finding.code, finding.location) == ("log.line_too_long", "logs/run_1.log:2")
    assert finding.message == (
        f"logs/run_1.log line 2: an MLLOG line of {len(long)} bytes, more than {LIMIT}; it is not read"
    )
    assert [e.line for e in log.events] == [1, 3]


def test_it_finds_the_token_where_a_chunk_cuts_it_in_two():
    data = ("x" * 500 + GOOD).encode()
    cut = data.index(b":::MLLOG") + 4
    assert [f.code for f in _read([data[:cut], data[cut:]]).findings] == ["log.line_too_long"]


def test_it_passes_over_long_lines_of_other_output():
    data = ("=" * 100_000 + "\n" + GOOD).encode()
    log = _read(_chunks(data, list(range(0, len(data), 1000))))
    assert log.findings == []
    assert [e.line for e in log.events] == [2]


def test_it_names_the_first_byte_that_is_not_utf8_wherever_the_chunks_cut():
    data = (GOOD + "\n").encode() * 3 + "caf\xe9".encode()[:-1] + b"\n" + GOOD.encode()
    expected = data.index(b"\xc3")
    for cut in range(expected - 2, expected + 3):
        [finding] = _read([data[:cut], data[cut:]]).findings
        assert finding.message == f"logs/run_1.log is not UTF-8 (byte {expected}); bad bytes were replaced"


def test_it_still_checks_utf8_past_the_line_limit():
    data = (GOOD + "\n") * 5 + "caf\xe9"
    log = _read([data.encode("latin-1")], max_lines=2)
    assert [f.code for f in log.findings] == ["log.not_utf8", "log.too_many_lines"]


def test_it_keeps_no_events_when_told_not_to():
    log = parse_log("logs/run_1.log", [(GOOD + "\n").encode() * 10], 100, keep_events=False)
    assert log.events == []
    assert log.points == {"seed": 7}
