"""Fuzzing the validator with structured hostile input: archives, JSON files, MLLOG values.

tests/bundles/test_properties.py already feeds random bytes, byte-mutated archives and
random MLLOG events. These go further where the bytes are well-formed but the content is
hostile: member lists mixing links, devices, traversal and odd names; JSON numbers and
strings that parse but cannot be stored (1e999, 30-digit integers, \\u0000, deep nesting);
MLLOG events carrying them. Each example must end in a clear report (documented codes,
messages, locations), one that fits the database, within a time bound.
"""

from __future__ import annotations

import json
import os
import tarfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submissions.bundles import Limits, validate_bundle
from tests.support.archives import tar_gz, zip_bytes
from tests.support.fuzz_helpers import assert_clear, assert_storable, example_files, time_bound

# FUZZ_EXAMPLES=2000 runs a longer campaign (docs/reliability.md); the suite's default is quick.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PER_EXAMPLE_S = 10.0
SMALL = Limits(max_total_uncompressed=8 * 1024 * 1024, max_members=200)
BASE = example_files()

# Numbers and strings that parse as JSON but break the way on (the database, strict JSON).
HOSTILE_TOKENS = [
    "1e999", "-1e999", "1e308", "-0", "0.0", "1" + "0" * 30, "-9223372036854775809",
    "9223372036854775807", "9007199254740993", "2147483648", '"\\u0000"', '"a\\u0000b"',
    '"\\ud800"', "[" * 200 + "]" * 200, '{"epoch_num": 1e999}', '{"status": "\\u0000"}',
    "null", "true", "[]", "{}", '"' + "x" * 300 + '"', "1" * 5000,
]  # fmt: skip
_PIECES = ["logs", "code", "..", ".", "", "manifest.json", "system.json", "run_1.log", "x" * 120, "C:"]
_NAME_PIECE = st.one_of(
    st.sampled_from(_PIECES),
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12),
)
_NAMES = st.lists(_NAME_PIECE, min_size=1, max_size=20).map("/".join)
_KINDS = st.sampled_from(
    [tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.FIFOTYPE]
)


def _check(data: bytes, name: str = "bundle.tar.gz") -> None:
    with time_bound(PER_EXAMPLE_S):
        report = validate_bundle(data, name, limits=SMALL)
    assert_clear(report)
    assert_storable(report)


def _member(name: str, kind: bytes, link: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
    return info


@FUZZ
@given(
    members=st.lists(st.tuples(_NAMES, _KINDS, st.sampled_from(["/etc/passwd", "../x", "manifest.json"]))),
    extra_files=st.dictionaries(_NAMES, st.binary(max_size=64), max_size=5),
)
def test_it_answers_hostile_tar_member_lists_clearly(members, extra_files):
    files = {**BASE, **extra_files}
    _check(tar_gz(files, [_member(*m) for m in members]))


@FUZZ
# zipfile itself cuts a name at NUL and cannot write the empty name that may leave.
@given(
    names=st.lists(_NAMES.filter(lambda n: n.split("\x00")[0]), min_size=1, max_size=10),
    body=st.binary(max_size=64),
)
def test_it_answers_hostile_zip_names_clearly(names, body):
    _check(zip_bytes({**BASE, **dict.fromkeys(names, body)}), "bundle.zip")


@st.composite
def _json_text(draw: st.DrawFn, original: bytes) -> bytes:
    """The valid document with one value (or the whole of it) replaced by a hostile token."""
    document = json.loads(original)
    key = draw(st.sampled_from([*document, "extra_key"]))
    token = draw(st.sampled_from(HOSTILE_TOKENS))
    placeholder = "__HOSTILE__"
    document[key] = placeholder
    text = json.dumps(document).replace(f'"{placeholder}"', token)
    return draw(st.sampled_from([text, token, text + text[:10]])).encode()


@FUZZ
@given(data=st.data(), which=st.sampled_from(["manifest.json", "system.json", "hyperparameters.json"]))
def test_it_answers_hostile_json_documents_clearly(data, which):
    original = BASE.get(which, b'{"opt_base_learning_rate": 0.1}')
    files = {**BASE, which: data.draw(_json_text(original))}
    _check(tar_gz(files))


@st.composite
def _hostile_log(draw: st.DrawFn) -> bytes:
    original = BASE["logs/run_1.log"].decode().splitlines()
    lines = list(original)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        if not lines[index].startswith(":::MLLOG") or "__HOSTILE__" in lines[index]:
            continue
        event = json.loads(original[index].removeprefix(":::MLLOG "))
        field = draw(st.sampled_from(["value", "time_ms", "metadata", "key", "event_type"]))
        event[field] = "__HOSTILE__"
        token = draw(st.sampled_from(HOSTILE_TOKENS))
        lines[index] = ":::MLLOG " + json.dumps(event).replace('"__HOSTILE__"', token)
    return "\n".join(lines).encode()


@FUZZ
@given(log=_hostile_log(), where=st.sampled_from(["logs/run_1.log", "logs/run_3.log"]))
def test_it_answers_hostile_mllog_values_clearly(log, where):
    _check(tar_gz({**BASE, where: log}))
