"""Findings are capped per file and per code, with one "and N more like this" in their place."""

from __future__ import annotations

from submissions.bundles.findings import PER_CODE, PER_FILE, FindingSink
from submissions.bundles.report import error, warning


def test_it_keeps_the_first_findings_of_a_code_about_a_file_and_counts_the_rest():
    sink = FindingSink()
    for line in range(1, 51):
        sink.add(error("log.bad_value", f"logs/a.log line {line}: bad", f"logs/a.log:{line}"))
    sink.add(warning("log.not_converged", "logs/a.log: not converged", "logs/a.log"))
    found = sink.findings()
    assert [f.location for f in found[:PER_FILE]] == [f"logs/a.log:{n}" for n in range(1, PER_FILE + 1)]
    summary = found[PER_FILE]
    assert (summary.severity, summary.code, summary.location) == ("error", "log.bad_value", "logs/a.log")
    assert summary.message == f"logs/a.log: and {50 - PER_FILE} more like this"
    assert found[-1].code == "log.not_converged"  # after the summary, in the order added


def test_it_caps_each_file_on_its_own():
    sink = FindingSink()
    for name in ("logs/a.log", "logs/b.log"):
        for line in range(PER_FILE + 5):
            sink.add(error("log.bad_value", f"{name} line {line}", f"{name}:{line}"))
    found = sink.findings()
    assert len(found) == 2 * (PER_FILE + 1)
    assert [f.message for f in found if "more like this" in f.message] == [
        "logs/a.log: and 5 more like this",
        "logs/b.log: and 5 more like this",
    ]


def test_it_caps_a_code_across_the_report_counting_what_each_summary_stood_for():
    sink = FindingSink()
    for run in range(1, 11):
        for line in range(PER_FILE + 10):  # 20 kept + "and 10 more" per file
            sink.add(error("log.bad_value", f"logs/{run}.log line {line}", f"logs/{run}.log:{line}"))
    found = sink.findings(per_code=PER_CODE)
    assert len(found) == PER_CODE + 1
    # 10 logs x 30 findings = 300. The first 100 shown are logs 1-4 (20 each, then "and 10
    # more") and 16 of log 5: they stand for 96 + 4 x 10 = 136 findings, so 164 are left.
    assert found[-1].message == "and 164 more like this"
    assert found[-1].location == ""
    assert sum(1 for f in found if "more like this" in f.message) == 5


def test_it_carries_what_another_sink_left_out():
    inner = FindingSink()
    for line in range(30):
        inner.add(error("log.garbage_line", f"logs/a.log line {line}: junk", f"logs/a.log:{line}"))
    outer = FindingSink()
    outer.absorb(inner)
    found = outer.findings()
    assert len(found) == PER_FILE + 1
    assert found[-1].message == "logs/a.log: 10 more bad MLLOG lines not listed"


def test_it_cuts_a_message_that_quotes_a_huge_value():
    sink = FindingSink()
    sink.add(error("log.bad_value", "logs/a.log: seed is " + "9" * 100_000, "logs/a.log"))
    [finding] = sink.findings()
    assert len(finding.message) == 2000 and finding.message.endswith("...")


def test_it_caps_the_findings_of_a_bundle_whatever_it_holds(factory):
    extra = {f"notes/n{i}.txt": b"x" for i in range(400)}
    report = factory.check(factory.tar(factory.files(**extra)))
    unexpected = [f for f in report.findings if f.code == "bundle.unexpected_file"]
    assert len(unexpected) == PER_CODE + 1
    assert unexpected[-1].message == f"and {400 - PER_CODE} more like this"
    assert report.valid  # warnings only, however many


def test_it_caps_bad_lines_in_every_log_of_a_bundle(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    junk = [":::MLLOG {not json"] * 500
    runs = factory.runs(bench, extra_lines=junk)
    report = factory.check(factory.bundle(runs=runs))
    garbage = [f for f in report.findings if f.code == "log.garbage_line"]
    per_log = [f for f in garbage if f.location == "logs/run_1.log"]
    assert [f.message for f in per_log] == ["logs/run_1.log: 480 more bad MLLOG lines not listed"]
    assert len(garbage) == len(runs) * (PER_FILE + 1)
