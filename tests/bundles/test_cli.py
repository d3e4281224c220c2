"""``benchcouncil check`` and ``benchcouncil pack``: output and exit status."""

from __future__ import annotations

import io
import json
import tarfile

from submissions.bundles import BundleReport
from submissions.bundles.cli import main


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, stdout=out), out.getvalue()


def test_it_prints_a_readable_report_and_exits_zero_for_a_valid_bundle(factory, tmp_path):
    path = tmp_path / "bundle.tar.gz"
    path.write_bytes(factory.bundle())
    status, text = _run(["check", str(path)])
    assert status == 0
    assert text.startswith("bundle.tar.gz: VALID")
    assert "aibench-training/image-classification, hardware level" in text
    assert "logs/run_1.log: seed 100, success, converged, train 121.0 s, to quality 120.0 s" in text


def test_it_exits_one_and_lists_findings_for_an_invalid_bundle(factory, tmp_path):
    path = tmp_path / "bundle.tar.gz"
    path.write_bytes(factory.bundle(manifest=factory.manifest(level="closed")))
    status, text = _run(["check", str(path)])
    assert status == 1
    assert "INVALID" in text.splitlines()[0]
    assert "ERROR   rules.unknown_level: manifest.json: level 'closed'" in text


def test_it_prints_json_that_reads_back_into_a_report(factory, tmp_path):
    path = tmp_path / "bundle.tar.gz"
    path.write_bytes(factory.bundle())
    status, text = _run(["check", str(path), "--json"])
    raw = json.loads(text)
    assert status == 0 and raw["valid"] is True
    report = BundleReport.from_dict(raw)
    assert report.to_dict() == raw
    assert report.runs[0].curve[0]["epoch"] == 1


def test_it_exits_two_on_usage_and_io_errors(tmp_path, capsys):
    assert _run([])[0] == 2
    assert _run(["check"])[0] == 2
    assert _run(["check", str(tmp_path / "missing.tar.gz")])[0] == 2
    assert _run(["pack", str(tmp_path / "nowhere"), str(tmp_path / "out.tar.gz")])[0] == 2
    assert "is not a folder" in capsys.readouterr().err


def test_it_packs_a_folder_deterministically_and_checks_it(factory, tmp_path):
    folder = tmp_path / "mybundle"
    for name, body in factory.files().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(body)
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    status, text = _run(["pack", str(folder), str(first)])
    assert status == 0 and "a.tar.gz: VALID" in text
    (folder / "manifest.json").touch()  # a new mtime must not change the bytes
    assert _run(["pack", str(folder), str(second)])[0] == 0
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        assert tar.getnames() == sorted(factory.files())
        assert {m.mtime for m in tar.getmembers()} == {0}


def test_it_refuses_to_pack_a_symlink(factory, tmp_path):
    folder = tmp_path / "mybundle"
    folder.mkdir()
    (folder / "manifest.json").write_bytes(b"{}")
    (folder / "system.json").symlink_to("/etc/hostname")
    assert _run(["pack", str(folder), str(tmp_path / "out.tar.gz")])[0] == 2
