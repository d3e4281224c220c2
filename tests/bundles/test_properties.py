"""Properties: whatever the bytes, the validator answers with a report, never an exception."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submissions.bundles import Limits, validate_bundle
from submissions.bundles.mllog import MAX_LINE_FINDINGS, parse_log

# The factory fixture is session-scoped and stateless, so sharing it across examples is safe.
SHARED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SMALL = Limits(max_total_uncompressed=4 * 1024 * 1024)


def _assert_sound(report) -> None:
    assert report.valid == (not any(f.severity == "error" for f in report.findings))
    assert all(f.code and f.message and f.severity in ("error", "warning", "info") for f in report.findings)
    # A message names what is wrong in the bundle's terms, never a Python None.
    assert not [f.message for f in report.findings if re.search(r"\bNone\b", f.message)]
    json.dumps(report.to_dict())  # always serialisable


@SHARED
@given(data=st.binary(max_size=2048), name=st.sampled_from(["b.tar.gz", "b.zip", "b.tgz", "b"]))
def test_it_answers_random_bytes_with_findings(data, name):
    report = validate_bundle(data, name, limits=SMALL)
    _assert_sound(report)
    assert not report.valid


@SHARED
@given(
    kind=st.sampled_from(["tar", "zip"]),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_it_answers_mutated_archives_with_a_sound_report(factory, kind, edits, cut):
    files = factory.files()
    data = bytearray(factory.tar(files) if kind == "tar" else factory.zip(files))
    for where, value in edits:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    report = validate_bundle(bytes(data), f"b.{'tar.gz' if kind == 'tar' else 'zip'}", limits=SMALL)
    _assert_sound(report)
    assert report.findings or report.valid


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
_EVENTS = st.fixed_dictionaries(
    {},
    optional={
        "time_ms": _JSONISH,
        "event_type": st.sampled_from(["POINT_IN_TIME", "INTERVAL_START", "INTERVAL_END", "X"]),
        "key": st.sampled_from(
            ["seed", "run_start", "run_stop", "epoch_stop", "eval_accuracy", "train_samples"]
        ),
        "value": _JSONISH,
        "metadata": _JSONISH,
    },
)


@SHARED
@given(
    lines=st.lists(
        st.one_of(st.text(st.characters(exclude_characters="\n"), max_size=80), _EVENTS.map(json.dumps)),
        max_size=MAX_LINE_FINDINGS,
    )
)
def test_it_reports_each_bad_mllog_line_by_number(lines):
    text = "\n".join(f":::MLLOG {line}" for line in lines)
    log = parse_log("logs/run_1.log", text.encode("utf-8", "surrogatepass"), 1000)
    numbered = {f.location for f in log.findings if f.code == "log.garbage_line"}
    assert len(log.events) + len(numbered) == len(lines)
    assert numbered.isdisjoint({f"logs/run_1.log:{e.line}" for e in log.events})


@SHARED
@given(
    lines=st.lists(
        st.one_of(st.text(max_size=80), _EVENTS.map(lambda e: ":::MLLOG " + json.dumps(e))), max_size=30
    )
)
def test_it_answers_any_log_in_a_bundle_with_a_sound_report(factory, lines):
    files = factory.files()
    files["logs/run_1.log"] = "\n".join(lines).encode("utf-8", "surrogatepass")
    report = validate_bundle(factory.tar(files), "b.tar.gz")
    _assert_sound(report)
    assert len(report.runs) == 3
