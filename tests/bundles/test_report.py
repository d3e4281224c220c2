"""Reports round-trip through JSON, and the validator turns its own failures into findings."""

from __future__ import annotations

import json

from submissions.bundles import BundleReport, Finding, Limits, RunReport
from submissions.bundles import validate as validate_module


def test_it_round_trips_a_report_through_json(factory):
    report = factory.check(factory.bundle())
    raw = json.loads(json.dumps(report.to_dict()))
    again = BundleReport.from_dict(raw)
    assert again == report
    assert isinstance(again.runs[0], RunReport)


def test_it_derives_validity_from_the_findings_not_from_stored_data(factory):
    raw = factory.check(factory.bundle()).to_dict()
    raw["findings"].append(Finding("error", "rules.duplicate_seed", "seed 1 twice").to_dict())
    assert BundleReport.from_dict({**raw, "valid": True}).valid is False


def test_it_has_the_documented_default_limits():
    limits = Limits()
    assert limits.max_archive_bytes == 200 * 1024 * 1024
    assert limits.max_members == 2000
    assert limits.max_total_uncompressed == 1024**3
    assert limits.max_member_bytes == 256 * 1024 * 1024
    assert limits.max_compression_ratio == 200
    assert limits.max_path_depth == 16
    assert limits.max_log_lines == 2_000_000


def test_it_reports_its_own_crash_as_a_finding(factory, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(validate_module, "parse_log", broken)
    report = factory.check(factory.bundle())
    assert not report.valid
    assert [f.code for f in report.errors] == ["validator.internal_error"]
    assert "RuntimeError: boom" in report.errors[0].message
    assert report.sha256 and report.size > 0
