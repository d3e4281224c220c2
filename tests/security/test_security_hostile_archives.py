"""Hostile archives are rejected with bounded memory and time, by the validator itself.

Peak memory is traced with tracemalloc around the validator alone (the archive's own bytes
are read before tracing starts), wall time with a monotonic clock. Bounds are generous for a
busy 2-core machine and still orders of magnitude below what an unbounded reader would take.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from submissions.bundles import BundleReport, validate_bundle
from tests.support.hostile_archives import MiB, bomb_tar_gz, bomb_zip, in_memory_corpus, temp_dir

PEAK_BYTES = 32 * MiB
SECONDS = 5.0
CORPUS = in_memory_corpus()


def _measured(data: bytes, name: str) -> tuple[BundleReport, int, float]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        report = validate_bundle(data, name)
    finally:
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return report, peak, elapsed


def _assert_rejected(report: BundleReport, code: str) -> None:
    assert not report.valid
    assert code in {f.code for f in report.errors}, [(f.code, f.message) for f in report.findings]
    assert report.files == []  # nothing of a rejected archive is kept
    assert all(f.message and f.location for f in report.findings)


@pytest.fixture(scope="module")
def bombs() -> Iterator[Path]:
    folder = temp_dir()
    yield folder
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_it_rejects_each_hostile_archive_in_bounded_memory_and_time(case):
    build, name, code = CORPUS[case]
    data = build()
    report, peak, elapsed = _measured(data, name)
    _assert_rejected(report, code)
    assert peak < PEAK_BYTES, f"{case}: peak {peak / MiB:.1f} MiB"
    assert elapsed < SECONDS, f"{case}: {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("builder", "name"), [(bomb_tar_gz, "bomb.tar.gz"), (bomb_zip, "bomb.zip")], ids=["tar.gz", "zip"]
)
def test_it_stops_a_ten_gib_bomb_after_a_few_mib(bombs, builder, name):
    path = builder(bombs / name)
    data = path.read_bytes()
    assert len(data) < 16 * MiB  # 10 GiB of content, ~10 MiB on disk
    report, peak, elapsed = _measured(data, name)
    _assert_rejected(report, "archive.bomb_ratio")
    assert peak < PEAK_BYTES, f"peak {peak / MiB:.1f} MiB"
    assert elapsed < SECONDS
