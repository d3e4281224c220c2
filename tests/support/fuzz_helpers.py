"""What every fuzzed report must satisfy, and the archives the fuzz tests build.

A report is *clear* when each finding has a code from docs/bundle-format.md's table, a
message and (bar the validator's own failure) a location. It is *storable* when every value
fits the database columns and a strict JSON answer: the validation task writes the report
as is, and a value that does not fit fails the task and strands the submission.
"""

from __future__ import annotations

import json
import re
import signal
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from submissions.bundles import BundleReport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "aibench-image-classification-hardware.tar.gz"
INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1


def known_codes() -> frozenset[str]:
    """The finding codes of the table under "## Findings" in docs/bundle-format.md."""
    text = (ROOT / "docs" / "bundle-format.md").read_text("utf-8").split("## Findings", 1)[1]
    codes = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            codes.update(re.findall(r"`([a-z0-9_]+\.[a-z0-9_]+)`", line.split("|")[1]))
    return frozenset(codes)


KNOWN_CODES = known_codes()


def example_files() -> dict[str, bytes]:
    """A valid bundle's files: the AIBench image-classification example, hardware level."""
    with tarfile.open(EXAMPLE, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def assert_clear(report: BundleReport) -> None:
    codes = [f.code for f in report.findings]
    assert "validator.internal_error" not in codes, report.findings
    for finding in report.findings:
        assert finding.code in KNOWN_CODES, f"undocumented finding code {finding.code!r}"
        assert finding.severity in ("error", "warning", "info")
        assert isinstance(finding.message, str) and finding.message.strip(), finding
        assert finding.location, f"{finding.code} has no location"
    assert report.valid == (not report.errors)


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def assert_storable(report: BundleReport) -> None:
    raw = report.to_dict()
    json.dumps(raw, allow_nan=False)  # ValueError on inf/nan: no strict JSON answer
    for leaf in _leaves(raw):
        if isinstance(leaf, str):
            assert "\x00" not in leaf, "a NUL character does not fit a PostgreSQL text or JSON column"
        elif isinstance(leaf, int) and not isinstance(leaf, bool):
            assert -INT64_MAX - 1 <= leaf <= INT64_MAX, leaf
    for finding in report.findings:
        assert len(finding.location) <= 255, finding.location[:80]
    for run in report.runs:
        assert len(run.log_name) <= 255
        assert run.global_batch_size is None or run.global_batch_size <= INT32_MAX
        assert run.samples_processed <= INT64_MAX


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Fail an example that runs past `seconds` (a hang), instead of waiting for it forever."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"one example ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < seconds
