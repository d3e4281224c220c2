"""Layout findings that teach: a folder too deep is named, close misspellings get "did you mean"."""

from __future__ import annotations

import pytest

URL = "https://rankings.example.org/docs/bundle-format/"


@pytest.fixture(autouse=True)
def site(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://rankings.example.org")


def test_files_one_folder_too_deep_get_one_finding_naming_the_folder(factory):
    files = {f"inner/{name}": body for name, body in factory.files().items()}
    files["README.md"] = b"results of our cluster"
    report = factory.check(factory.tar(files))
    assert [(f.severity, f.code, f.location) for f in report.findings] == [
        ("error", "bundle.nested_folder", "inner/")
    ]
    message = report.findings[0].message
    assert message.startswith("the bundle's files are under inner/ (beside README.md, which are ignored)")
    assert "move manifest.json, system.json and logs/ up one folder" in message and URL in message


def test_two_wrapping_folders_name_the_inner_one(factory):
    # One wrapping folder is accepted as it is (tar czf b.tgz mybundle/); a second is named.
    report = factory.check(factory.tar(factory.files(), prefix="outer/inner/"))
    assert [f.code for f in report.findings] == ["bundle.nested_folder"]
    assert "under inner/" in report.findings[0].message


@pytest.mark.parametrize(
    ("wanted", "new"),
    [
        ("manifest.json", "manifest.jsn"),
        ("manifest.json", "Manifest.json"),
        ("system.json", "sytem.json"),
        ("system.json", "System.JSON"),
    ],
)
def test_a_close_misspelling_of_a_required_file_gets_did_you_mean(factory, wanted, new):
    files = factory.files()
    files[new] = files.pop(wanted)
    report = factory.check(factory.tar(files))
    missing = [f for f in report.errors if f.code == "bundle.missing_file"]
    assert [f.location for f in missing] == [wanted]
    assert f"; {new} looks like a misspelling of it: did you mean {wanted}?" in missing[0].message
    assert URL in missing[0].message


@pytest.mark.parametrize("folder", ["log", "Logs", "logz"])
def test_a_close_misspelling_of_the_logs_folder_gets_did_you_mean(factory, folder):
    files = {name.replace("logs/", f"{folder}/"): body for name, body in factory.files().items()}
    report = factory.check(factory.tar(files))
    missing = [f for f in report.errors if f.code == "bundle.missing_file"]
    assert [f.location for f in missing] == ["logs/"]
    assert f"{folder}/ looks like a misspelling of it: did you mean logs/?" in missing[0].message


def test_an_unrelated_name_gets_no_guess(factory):
    files = factory.files()
    files["results.json"] = files.pop("system.json")
    report = factory.check(factory.tar(files))
    (missing,) = [f for f in report.errors if f.code == "bundle.missing_file"]
    assert "did you mean" not in missing.message


def test_the_format_url_follows_the_service_a_client_submits_to(factory, monkeypatch):
    monkeypatch.delenv("SITE_URL")
    monkeypatch.setenv("BENCHCOUNCIL_URL", "https://ci.example.org/")
    files = factory.files()
    del files["system.json"]
    (missing,) = [f for f in factory.check(factory.tar(files)).errors if f.code == "bundle.missing_file"]
    assert missing.message.endswith("see https://ci.example.org/docs/bundle-format/")


def test_a_run_that_logged_no_quality_says_so(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    runs = factory.runs(bench, qualities=[])
    report = factory.check(factory.bundle(runs=runs))
    messages = [f.message for f in report.findings if f.code == "rules.not_converged"]
    assert messages and all("no quality was logged" in m and "None" not in m for m in messages)
