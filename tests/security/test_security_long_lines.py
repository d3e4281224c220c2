"""A bundle of logs that are each one huge MLLOG line is read in bounded memory and time.

It is within every limit (4 x 100 MiB, a few MiB compressed); the lines are findings, and no
line is ever held whole.
"""

from __future__ import annotations

import time
import tracemalloc

from submissions.bundles import validate_bundle
from tests.support.hostile_archives import MiB, long_line_tar_gz, temp_dir

PEAK_BYTES = 32 * MiB
SECONDS = 30.0


def test_it_reads_logs_of_one_huge_line_each_in_bounded_memory():
    folder = temp_dir()
    path = long_line_tar_gz(folder / "long.tar.gz")
    try:
        assert path.stat().st_size < 8 * MiB
        tracemalloc.start()
        started = time.monotonic()
        with path.open("rb") as stream:
            report = validate_bundle(stream, path.name)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        path.unlink()
        folder.rmdir()
    too_long = [f for f in report.findings if f.code == "log.line_too_long"]
    assert [f.location for f in too_long] == [f"logs/run_{n}.log:1" for n in range(1, 5)]
    assert not report.valid and len(report.runs) == 4
    assert peak < PEAK_BYTES, f"peak {peak / MiB:.1f} MiB"
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
