"""Reading archives: every unsafe or broken input is a finding with its own code."""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import time
import zipfile
import zlib

from submissions.bundles import Limits
from submissions.bundles.archive import read_archive

MiB = 1024 * 1024


def _member(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def _archive_codes(data: bytes, limits: Limits | None = None, filename: str = "b.tar.gz") -> set[str]:
    return {
        f.code for f in read_archive(data, filename, limits or Limits()).findings if f.severity == "error"
    }


def test_it_accepts_a_valid_tar_gz(factory):
    report = factory.check(factory.bundle())
    assert report.valid, report.findings
    assert report.files == [
        "logs/run_1.log",
        "logs/run_2.log",
        "logs/run_3.log",
        "manifest.json",
        "system.json",
    ]
    assert len(report.runs) == 3


def test_it_accepts_a_valid_zip(factory):
    report = factory.check(factory.zip(factory.files()), "bundle.zip")
    assert report.valid, report.findings


def test_it_accepts_files_inside_one_top_level_folder(factory):
    report = factory.check(factory.tar(factory.files(), prefix="mybundle/"))
    assert report.valid, report.findings
    assert "manifest.json" in report.files


def test_it_accepts_dot_slash_names_as_tar_writes_them(factory):
    report = factory.check(factory.tar(factory.files(), prefix="./"))
    assert report.valid, report.findings


def test_it_ignores_operating_system_clutter(factory):
    files = factory.files()
    files["__MACOSX/._manifest.json"] = b"\x00\x05\x16\x07"
    files[".DS_Store"] = b"Bud1"
    report = factory.check(factory.zip(files), "bundle.zip")
    assert report.valid, report.findings
    assert factory.codes(report, "info") == {"archive.ignored_member"}
    assert ".DS_Store" not in report.files


def test_it_rejects_an_archive_over_the_size_limit(factory):
    report = factory.check(b"\x1f\x8b" + b"\x00" * (200 * MiB))
    assert factory.codes(report) == {"archive.too_large"}
    assert "209715202 bytes" in report.findings[0].message


def test_it_rejects_bytes_that_are_no_archive(factory):
    report = factory.check(b"just some text\n", "bundle.tar.gz")
    assert factory.codes(report) == {"archive.unknown_format"}


def test_it_hints_at_gzip_for_a_plain_tar(factory):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        tar.addfile(tarfile.TarInfo("manifest.json"))
    report = factory.check(raw.getvalue(), "bundle.tar")
    assert factory.codes(report) == {"archive.unknown_format"}
    assert "tar czf" in report.findings[0].message


def test_it_rejects_a_truncated_tar_gz(factory):
    data = factory.bundle()
    assert _archive_codes(data[: len(data) // 2]) == {"archive.corrupt"}


def test_it_rejects_gzip_garbage_and_zip_garbage():
    assert _archive_codes(b"\x1f\x8b\x08\x00garbage-not-deflate") == {"archive.corrupt"}
    assert _archive_codes(b"PK\x03\x04" + b"\xff" * 100, filename="b.zip") == {"archive.corrupt"}


def test_it_warns_when_the_extension_does_not_match(factory):
    report = factory.check(factory.bundle(), "bundle.zip")
    assert report.valid
    assert "archive.extension_mismatch" in factory.codes(report, "warning")


def test_it_rejects_path_traversal(factory):
    data = factory.tar({**factory.files(), "../../home/user/.bashrc": b"echo owned"})
    report = factory.check(data)
    assert factory.codes(report) == {"archive.path_traversal"}
    assert "../../home/user/.bashrc" in report.findings[0].message
    assert report.files == []


def test_it_rejects_path_traversal_in_a_zip(factory):
    assert _archive_codes(factory.zip({"logs/../../x.log": b""}), filename="b.zip") == {
        "archive.path_traversal"
    }


def test_it_rejects_absolute_paths(factory):
    assert _archive_codes(factory.tar({"/etc/cron.d/job": b"* * * * * sh"})) == {"archive.absolute_path"}
    assert _archive_codes(factory.zip({"C:/Windows/evil.dll": b""}), filename="b.zip") == {
        "archive.absolute_path"
    }


def test_it_rejects_symlinks(factory):
    data = factory.tar(factory.files(), members=[_member("logs/run_9.log", tarfile.SYMTYPE, "/etc/passwd")])
    assert _archive_codes(data) == {"archive.symlink"}


def test_it_rejects_symlinks_in_a_zip(factory):
    link = zipfile.ZipInfo("logs/run_9.log")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = factory.zip(factory.files(), infos=[(link, b"/etc/passwd")])
    assert _archive_codes(data, filename="b.zip") == {"archive.symlink"}


def test_it_rejects_hardlinks(factory):
    data = factory.tar(factory.files(), members=[_member("logs/run_9.log", tarfile.LNKTYPE, "manifest.json")])
    assert _archive_codes(data) == {"archive.hardlink"}


def test_it_rejects_device_files_and_fifos(factory):
    for kind in (tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE):
        data = factory.tar(factory.files(), members=[_member("code/dev", kind)])
        assert _archive_codes(data) == {"archive.special_file"}, kind


def test_it_rejects_too_many_members(factory):
    files = {f"code/f{i}.py": b"" for i in range(30)}
    assert _archive_codes(factory.tar(files), Limits(max_members=20)) == {"archive.too_many_members"}
    assert _archive_codes(factory.zip(files), Limits(max_members=20), "b.zip") == {"archive.too_many_members"}


def test_it_rejects_paths_too_deep(factory):
    deep = "/".join(["d"] * 17) + "/f.py"
    assert _archive_codes(factory.tar({deep: b""})) == {"archive.too_deep"}


def test_it_rejects_names_that_are_not_utf8_or_hold_control_characters(factory):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        info = tarfile.TarInfo("code/caf\xe9.py")  # written as latin-1 bytes: invalid UTF-8
        tar.addfile(info, io.BytesIO(b""))
    assert _archive_codes(raw.getvalue()) == {"archive.unsafe_name"}
    assert _archive_codes(factory.tar({"code/a\x1b[2Jb.py": b""})) == {"archive.unsafe_name"}
    assert _archive_codes(factory.zip({"code\\evil.py": b""}), filename="b.zip") == {"archive.unsafe_name"}


def test_it_rejects_duplicate_names(factory):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for body in (b"{}", b"{}"):
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    assert _archive_codes(raw.getvalue()) == {"archive.duplicate_name"}


def test_it_rejects_a_member_over_the_member_limit(factory):
    data = factory.tar({"code/big.bin": b"x" * 5000})
    assert _archive_codes(data, Limits(max_member_bytes=4096)) == {"archive.member_too_large"}


def test_it_stops_a_high_ratio_bomb(factory):
    data = factory.tar({**factory.files(), "code/zeros.bin": bytes(50 * MiB)})
    assert len(data) < MiB
    assert _archive_codes(data) == {"archive.bomb_ratio"}


def test_it_stops_an_archive_that_expands_past_the_total_limit(factory):
    data = factory.tar({f"code/{i}.bin": bytes(300_000) for i in range(5)})
    limits = Limits(max_total_uncompressed=MiB, max_compression_ratio=1e9)
    assert _archive_codes(data, limits) == {"archive.bomb_size"}


def _ten_gib_tar_gz() -> bytes:
    """A 10 GiB tar.gz bomb in ~10 MiB, by repeating one fully-flushed deflate block.

    The gzip trailer is wrong on purpose: a validator that reads that far has already failed.
    """
    zeros = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = zeros.compress(bytes(MiB)) + zeros.flush(zlib.Z_FULL_FLUSH)
    parts = [gzip.compress(b"")[:10]]
    for i in range(40):  # 40 members of 250 MiB, each under the 256 MiB member limit
        header = tarfile.TarInfo(f"code/part{i}.bin")
        header.size = 250 * MiB
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        parts.append(packer.compress(header.tobuf()) + packer.flush(zlib.Z_FULL_FLUSH))
        parts.append(block * 250)
    return b"".join(parts)


def test_it_stops_a_ten_gib_bomb_in_bounded_time():
    data = _ten_gib_tar_gz()
    started = time.monotonic()
    findings = read_archive(data, "bomb.tar.gz", Limits()).findings
    assert [f.code for f in findings] == ["archive.bomb_ratio"]
    assert time.monotonic() - started < 2.0


def test_it_never_trusts_a_zip_members_declared_size(factory):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("code/zeros.bin", bytes(20 * MiB))
    data = raw.getvalue()
    # Shrink the declared size in both headers: the data still inflates to 20 MiB.
    lied = data.replace((20 * MiB).to_bytes(4, "little"), (10).to_bytes(4, "little"))
    assert lied != data
    assert _archive_codes(lied, filename="b.zip") & {"archive.corrupt", "archive.bomb_ratio"}
    assert _archive_codes(data, filename="b.zip") == {"archive.bomb_ratio"}
