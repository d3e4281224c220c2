"""The bundle's layout and its JSON files: parse errors, schema errors, missing files."""

from __future__ import annotations

import json

from submissions.bundles.documents import parse_json


def test_it_reports_malformed_json_with_line_and_column(factory):
    files = factory.files()
    files["manifest.json"] = b'{\n  "suite": "hpc-ai500",\n  "level" "system"\n}'
    report = factory.check(factory.tar(files))
    [finding] = report.errors
    assert finding.code == "json.malformed"
    assert finding.message.startswith("manifest.json line 3 column 11:")
    assert finding.location == "manifest.json:3:11"
    assert report.manifest is None


def test_it_rejects_duplicate_keys_and_non_standard_constants(factory):
    files = factory.files()
    files["system.json"] = b'{"system_name": "a", "system_name": "b"}'
    files["manifest.json"] = json.dumps(factory.manifest()).replace('"full"', "NaN").encode()
    report = factory.check(factory.tar(files))
    assert factory.codes(report) == {"json.duplicate_key", "json.malformed"}


def test_a_key_repeated_with_the_same_value_is_not_ambiguous():
    # Graphcore's v1.1 system descriptions list "host_storage_type" twice, both "NVMe SSD".
    document, findings = parse_json("system.json", b'{"a": "NVMe SSD", "b": 1, "a": "NVMe SSD"}')
    assert findings == [] and document == {"a": "NVMe SSD", "b": 1}
    for first, second in (("1", "1.0"), ("1", "true"), ('"x"', '"y"'), ('{"k": 1}', '{"k": 2}')):
        document, findings = parse_json("s.json", f'{{"a": {first}, "a": {second}}}'.encode())
        assert document is None and [f.code for f in findings] == ["json.duplicate_key"]


def test_it_rejects_json_that_is_not_utf8(factory):
    files = factory.files(system=factory.system(system_name="N\u00f6de"))
    files["system.json"] = files["system.json"].decode().encode("utf-16")
    assert factory.codes(factory.check(factory.tar(files))) == {"json.not_utf8"}


def test_it_names_the_json_path_of_each_schema_error(factory):
    system = factory.system(number_of_nodes=0, accelerators_per_node="eight")
    del system["framework"]
    report = factory.check(factory.bundle(system=system))
    assert {f.code for f in report.errors} == {"json.schema"}
    assert {f.location: f.message for f in report.errors} == {
        "system.json:$": "system.json at $: 'framework' is a required property",
        "system.json:$.accelerators_per_node": "system.json at $.accelerators_per_node: 'eight' is not valid "
        "under any of the given schemas; expected a whole number of at least 0, or a string of its digits",
        "system.json:$.number_of_nodes": "system.json at $.number_of_nodes: 0 is not valid under any of the "
        "given schemas; expected a whole number of at least 1, or a string of its digits",
    }


def test_it_accepts_mlperf_style_digit_strings_for_counts(factory):
    report = factory.check(
        factory.bundle(system=factory.system(number_of_nodes="4", accelerators_per_node="0"))
    )
    assert report.valid, report.findings
    assert report.system is not None and report.system["number_of_nodes"] == "4"


def test_it_accepts_an_empty_host_memory_capacity_as_mlperf_s_descriptions_leave_it(factory):
    # MLPerf requires the key, not a value: MosaicML's v2.0 description leaves it "".
    report = factory.check(factory.bundle(system=factory.system(host_memory_capacity="")))
    assert report.valid, report.findings
    assert report.system is not None and report.system["host_memory_capacity"] == ""


def test_it_checks_the_manifest_schema(factory):
    manifest = factory.manifest(format_version=2, profile="tiny", per_sample_training_flops=-1)
    report = factory.check(factory.bundle(manifest=manifest))
    paths = sorted(f.location for f in report.errors)
    assert paths == [
        "manifest.json:$.format_version",
        "manifest.json:$.per_sample_training_flops",
        "manifest.json:$.profile",
    ]
    assert report.runs == []  # nothing to check runs against without a valid manifest


def test_it_warns_about_unknown_manifest_keys(factory):
    report = factory.check(factory.bundle(manifest=factory.manifest(per_sample_flops=2e10)))
    assert report.valid
    assert factory.codes(report, "warning") == {"manifest.unknown_key"}


def test_it_checks_hyperparameters_json(factory):
    files = factory.files()
    files["hyperparameters.json"] = json.dumps({"Bad-Key": 1, "opt_betas": [0.9, {"x": 1}]}).encode()
    report = factory.check(factory.tar(files))
    assert factory.codes(report) == {"json.schema"}
    assert len(report.errors) == 2


def test_it_requires_manifest_system_and_logs(factory, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://rankings.example.org")
    files = factory.files()
    for name in [n for n in files if n.startswith("logs/")] + ["system.json"]:
        del files[name]
    report = factory.check(factory.tar(files))
    assert [f.message for f in report.errors] == [
        "the bundle has no system.json; see https://rankings.example.org/docs/bundle-format/",
        "the bundle has no logs/*.log, one per training run; see https://rankings.example.org/docs/bundle-format/",
        "aibench-training/image-classification needs at least 3 runs (logs/*.log); the bundle has 0",
    ]


def test_it_warns_about_files_outside_the_format(factory):
    files = factory.files()
    files["logs/nested/run_9.log"] = b""
    files["notes.txt"] = b"hello"
    files["code/train.py"] = b"print('hi')"
    report = factory.check(factory.tar(files))
    assert report.valid
    assert sorted(f.location for f in report.findings if f.code == "bundle.unexpected_file") == [
        "logs/nested/run_9.log",
        "notes.txt",
    ]
