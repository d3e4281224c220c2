"""The example bundles' findings and run figures are exactly those recorded in expected/.

expected/example-reports.json holds what the validator said of each example before it
read bundles as streams, with what later rules add (rules.duplicate_run, for the example
whose runs 1 and 3 are copies, and each run's log_sha256); whatever the reading, the results
stay the same, from bytes and from a file alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from submissions.bundles import BundleReport, validate_bundle

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = json.loads((Path(__file__).parent / "expected" / "example-reports.json").read_text())


def _results(report: BundleReport) -> dict[str, object]:
    raw = json.loads(json.dumps(report.to_dict()))
    return {key: raw[key] for key in ("valid", "findings", "runs", "files")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_reports_each_example_exactly_as_recorded(name):
    path = ROOT / "examples" / name
    assert _results(validate_bundle(path.read_bytes(), name)) == EXPECTED[name]
    with path.open("rb") as stream:
        assert _results(validate_bundle(stream, name)) == EXPECTED[name]


def test_it_has_a_record_for_every_example():
    assert sorted(EXPECTED) == sorted(p.name for p in (ROOT / "examples").glob("*.tar.gz"))
