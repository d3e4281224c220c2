"""MLLOG line parsing: other output is ignored, bad MLLOG lines are reported by number."""

from __future__ import annotations

from submissions.bundles.mllog import MAX_LINE_FINDINGS, parse_log

GOOD = (
    ':::MLLOG {"namespace": "", "time_ms": 1700000000000, "event_type": "POINT_IN_TIME", "key": "seed", '
    + ('"value": 7}')
)


def test_it_parses_events_and_ignores_other_output():
    log = parse_log("logs/run_1.log", f"Epoch 1 loss 6.9\n{GOOD}\nWARNING: cudnn\n".encode(), 100)
    assert log.findings == []
    [event] = log.events
    assert (event.line, event.key, event.value, event.metadata) == (2, "seed", 7, {})


def test_it_accepts_mpi_rank_prefixes():
    log = parse_log("logs/run_1.log", f"[1,0]<stdout>:{GOOD}\n".encode(), 100)
    assert [e.key for e in log.events] == ["seed"]


def test_it_reports_garbage_lines_with_their_numbers():
    lines = [
        "starting",
        GOOD,
        ":::MLLOG {not json",
        ':::MLLOG {"time_ms": 1, "event_type": "POINT_IN_TIME"}',
        ':::MLLOG {"time_ms": "soon", "event_type": "POINT_IN_TIME", "key": "seed"}',
        ':::MLLOG {"time_ms": 1, "event_type": "SOMETIME", "key": "seed"}',
        ':::MLLOG {"time_ms": NaN, "event_type": "POINT_IN_TIME", "key": "seed"}',
        ':::MLLOG {"time_ms": 1, "event_type": "POINT_IN_TIME", "key": "seed", "metadata": []}',
        ":::MLLOG [1, 2]",
    ]
    log = parse_log("logs/run_3.log", "\n".join(lines).encode(), 100)
    assert [f.location for f in log.findings] == [f"logs/run_3.log:{n}" for n in range(3, 10)]
    assert {f.code for f in log.findings} == {"log.garbage_line"}
    assert log.findings[0].message.startswith("logs/run_3.log line 3: not a JSON event after :::MLLOG")
    assert "has no 'key'" in log.findings[1].message
    assert "no numeric 'time_ms'" in log.findings[2].message
    assert len(log.events) == 1


def test_it_caps_the_number_of_garbage_findings():
    log = parse_log("logs/run_1.log", ("\n:::MLLOG junk" * 100).encode(), 1000)
    assert len(log.findings) == MAX_LINE_FINDINGS + 1
    assert log.findings[-1].message == "logs/run_1.log: 80 more bad MLLOG lines not listed"


def test_it_stops_at_the_line_limit():
    log = parse_log("logs/run_1.log", ((GOOD + "\n") * 10).encode(), 5)
    assert [f.code for f in log.findings] == ["log.too_many_lines"]
    assert len(log.events) == 5


def test_it_warns_about_a_log_that_is_not_utf8():
    log = parse_log("logs/run_1.log", b"caf\xe9\n" + GOOD.encode(), 100)
    assert [f.code for f in log.findings] == ["log.not_utf8"]
    assert len(log.events) == 1
