"""Bundles are read as streams: the same report from a file, bounded figures, bounded values."""

from __future__ import annotations

import io

from submissions.bundles import Limits
from submissions.bundles.mllog import parse_log
from submissions.bundles.runs import Target, derive_run


def _log(factory, *middle: str) -> bytes:
    return "\n".join(factory.short_run(*middle, stop_ms=10**9)).encode()


def test_it_reports_the_same_from_a_file_as_from_bytes(factory):
    for data, name in ((factory.bundle(), "b.tar.gz"), (factory.zip(factory.files()), "b.zip")):
        from_bytes = factory.check(data, name)
        from_file = factory.check(io.BytesIO(data), name)  # type: ignore[arg-type]
        assert from_file == from_bytes
        assert from_bytes.valid, from_bytes.findings


def test_it_refuses_a_json_document_over_its_size_limit(factory):
    files = factory.files()
    files["system.json"] = b'{"system_name": "' + b"x" * 2000 + b'"}'
    report = factory.check(factory.tar(files), limits=Limits(max_document_bytes=1000))
    [finding] = [f for f in report.findings if f.code == "json.too_large"]
    size = len(files["system.json"])
    assert finding.message == f"system.json is {size} bytes; a bundle's JSON files may be at most 1000 bytes"
    assert not report.valid


def test_it_thins_a_long_curve_but_reads_its_figures_off_every_evaluation(factory):
    stop = factory.mllog("epoch_stop", time_ms=2000, kind="INTERVAL_END", epoch_num=1)
    evals = [
        factory.mllog("eval_accuracy", 0.5 if i != 2345 else 0.9, time_ms=2000 + i, epoch_num=i + 1)
        for i in range(5000)
    ]
    log = parse_log("logs/run_1.log", _log(factory, stop, *evals), 10_000, keep_events=False)
    facts = derive_run(log, Target(quality=0.8), {}, curve_points=100)
    report = facts.report
    assert len(report.curve) == 100
    assert report.curve[0] == {"epoch": 1, "time_s": 1.0, "quality": 0.5}
    assert report.curve[-1] == {"epoch": 5000, "time_s": (2000 + 4999 - 1000) / 1000, "quality": 0.5}
    assert report.time_to_quality_s == (2000 + 2345 - 1000) / 1000  # not a kept point
    assert report.achieved_quality == 0.5
    assert [f.code for f in facts.findings] == ["log.curve_thinned"]
    assert facts.findings[0].severity == "info"


def test_it_keeps_each_evaluation_epoch_as_logged(factory):
    stop = factory.mllog("epoch_stop", time_ms=2000, kind="INTERVAL_END", epoch_num=1)
    evals = [
        factory.mllog("eval_accuracy", 0.5, time_ms=2000, epoch_num=1),
        factory.mllog("eval_accuracy", 0.6, time_ms=3000, epoch_num=1.5),
        factory.mllog("eval_accuracy", 0.7, time_ms=4000, epoch_num=2**62),
    ]
    facts = derive_run(parse_log("logs/run_1.log", _log(factory, stop, *evals), 100), Target(0.9), {})
    epochs = [point["epoch"] for point in facts.report.curve]
    assert epochs == [1, 1.5, 2**62]
    assert [type(e) for e in epochs] == [int, float, int]


def test_it_counts_large_epoch_numbers_once(factory):
    big = 2**40
    stops = [
        factory.mllog("epoch_stop", time_ms=2000, kind="INTERVAL_END", epoch_num=n) for n in (big, 3, big)
    ]
    evaluation = factory.mllog("eval_accuracy", 0.6, time_ms=2000, epoch_num=1)
    facts = derive_run(parse_log("logs/run_1.log", _log(factory, *stops, evaluation), 100), Target(0.5), {})
    assert [f.code for f in facts.findings] == ["log.duplicate_epoch"]
    assert facts.report.epochs_completed == 2


def test_it_bounds_the_values_a_bundle_holds(factory, monkeypatch):
    from submissions.bundles import validate

    monkeypatch.setattr(validate, "MAX_VALUE_BYTES", 50_000)
    bench = factory.benchmark("aibench-training", "image-classification")
    huge = [factory.mllog(f"opt_extra_{i}", "v" * 20_000, time_ms=0) for i in range(4)]
    runs = factory.runs(bench, extra_lines=huge)
    report = factory.check(factory.bundle(runs=runs))
    [finding] = [f for f in report.findings if f.code == "log.too_many_values"]
    assert finding.location.startswith("logs/run_1.log:")
    assert "more than 50000 bytes" in finding.message
    held = sum(
        len(v) for run in report.runs for k, v in run.hyperparameters.items() if k.startswith("opt_extra")
    )
    assert held <= 50_000


def test_it_finds_the_documents_in_a_top_folder_after_clutter(factory):
    files = {"__MACOSX/._manifest.json": b"x", **{f"mine/{k}": v for k, v in factory.files().items()}}
    report = factory.check(factory.tar(files))
    assert report.valid, report.findings
    assert report.manifest is not None and len(report.runs) == 3


def test_it_holds_no_documents_from_folders_that_are_not_the_bundle(factory):
    files = factory.files()
    files["other/manifest.json"] = b"not even json"
    report = factory.check(factory.tar(files))
    assert report.valid, report.findings
    assert [f.code for f in report.findings] == ["bundle.unexpected_file"]
