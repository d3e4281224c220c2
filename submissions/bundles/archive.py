"""Read a .tar.gz or .zip bundle into memory (name -> bytes), refusing anything unsafe.

Nothing is extracted to disk. Every read goes through a byte budget, so a decompression
bomb costs at most ``Limits.max_total_uncompressed`` bytes (and usually far less, the
ratio test stops it early), whatever sizes the archive declares.
"""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zipfile
from dataclasses import dataclass, field
from typing import IO

from .paths import MAX_NAME_CHARS, drop_junk, normalise_name, shown_name, strip_top_folder
from .report import Finding, Limits, error, warning

_CHUNK = 64 * 1024
_ZIP_UTF8_FLAG = 0x800
_ZIP_ENTRY_BYTES = 512


class _Stop(Exception):  # noqa: N818 - a control-flow signal, not an error to report upward
    """Abandon the archive; the finding says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass
class ArchiveContents:
    files: dict[str, bytes] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


class _Budget:
    """Counts decompressed bytes and stops the read at the size or ratio limit.

    The ratio is taken against the compressed bytes consumed *so far*, not the archive's
    size: a bomb then stops after a few MiB, instead of after ratio x archive size.
    """

    def __init__(self, limits: Limits) -> None:
        self.used = 0
        self.limits = limits

    def _ratio_cap(self, consumed: int) -> int:
        return max(int(self.limits.max_compression_ratio * consumed), self.limits.ratio_floor_bytes)

    def remaining(self, consumed: int) -> int:
        return min(self.limits.max_total_uncompressed, self._ratio_cap(consumed)) - self.used

    def spend(self, count: int, consumed: int) -> None:
        self.used += count
        if self.used > self.limits.max_total_uncompressed:
            raise _Stop(
                error(
                    "archive.bomb_size",
                    f"the archive expands to more than {self.limits.max_total_uncompressed} bytes; "
                    "leave data sets and checkpoints out of the bundle",
                    "archive",
                )
            )
        if self.used > self._ratio_cap(consumed):
            raise _Stop(
                error(
                    "archive.bomb_ratio",
                    f"the archive expands more than {self.limits.max_compression_ratio:g} times its "
                    "compressed size, which is what a decompression bomb does",
                    "archive",
                )
            )


class _BoundedReader(io.RawIOBase):
    """A file-like view of a decompressing stream that never reads past the budget."""

    def __init__(self, compressed: io.BytesIO, budget: _Budget) -> None:
        self._compressed = compressed
        self._raw = gzip.GzipFile(fileobj=compressed, mode="rb")
        self._budget = budget

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        # Ask for one byte beyond the budget: getting it proves the limit is exceeded.
        allowed = self._budget.remaining(self._compressed.tell()) + 1
        size = allowed if size is None or size < 0 else min(size, allowed)
        chunk = self._raw.read(size)
        self._budget.spend(len(chunk), self._compressed.tell())
        return chunk


def read_archive(data: bytes, filename: str, limits: Limits) -> ArchiveContents:
    out = ArchiveContents()
    if len(data) > limits.max_archive_bytes:
        out.findings.append(
            error(
                "archive.too_large",
                f"{filename} is {len(data)} bytes; bundles may be at most {limits.max_archive_bytes} bytes",
                "archive",
            )
        )
        return out
    kind = _sniff(data)
    if kind is None:
        out.findings.append(_unknown_format(data, filename))
        return out
    out.findings.extend(_extension_check(kind, filename))
    reader = _read_tar if kind == "tar.gz" else _read_zip
    try:
        reader(data, limits, out)
    except _Stop as stop:
        out.findings.append(stop.finding)
    except Exception as exc:  # noqa: BLE001 - any parser failure on hostile bytes means "corrupt"
        reason = str(exc)[:200] or type(exc).__name__
        out.findings.append(
            error("archive.corrupt", f"{filename} is not a readable {kind} archive: {reason}", "archive")
        )
    if any(f.severity == "error" for f in out.findings):
        out.files = {}
        return out
    out.files, junk = drop_junk(out.files)
    out.files = strip_top_folder(out.files)
    out.findings.extend(junk)
    return out


def _sniff(data: bytes) -> str | None:
    if data[:2] == b"\x1f\x8b":
        return "tar.gz"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    return None


def _unknown_format(data: bytes, filename: str) -> Finding:
    hint = "compress it with gzip (tar czf)" if data[257:262] == b"ustar" else "make a .tar.gz or a .zip"
    return error(
        "archive.unknown_format",
        f"{filename} is neither a gzip-compressed tar nor a zip archive; {hint}",
        "archive",
    )


def _extension_check(kind: str, filename: str) -> list[Finding]:
    lowered = filename.lower()
    expected = (".tar.gz", ".tgz") if kind == "tar.gz" else (".zip",)
    if lowered.endswith(expected):
        return []
    return [
        warning(
            "archive.extension_mismatch",
            f"{filename} holds a {kind} archive; name it {expected[0]} to avoid confusion",
            "archive",
        )
    ]


def _add(out: ArchiveContents, raw_name: str, body: bytes | None, limits: Limits) -> None:
    """Record one regular file (``body``) or folder (``None``) under its checked name."""
    name, problem = normalise_name(raw_name, limits)
    if problem is not None:
        out.findings.append(problem)
    elif name is not None and body is not None:
        if name in out.files:
            out.findings.append(
                error(
                    "archive.duplicate_name", f"the archive holds {name!r} more than once", f"archive:{name}"
                )
            )
        out.files[name] = body


def _count(seen: int, limits: Limits) -> None:
    if seen > limits.max_members:
        raise _Stop(
            error(
                "archive.too_many_members",
                f"the archive holds more than {limits.max_members} files and folders",
                "archive",
            )
        )


def _member_size(declared: int, name: str, limits: Limits) -> None:
    if declared > limits.max_member_bytes:
        raise _Stop(
            error(
                "archive.member_too_large",
                f"member {name!r} is {declared} bytes; "
                f"one file may be at most {limits.max_member_bytes} bytes",
                _where(name),
            )
        )


def _where(name: str) -> str:
    return f"archive:{shown_name(name)[:MAX_NAME_CHARS]}"


# --- tar.gz -----------------------------------------------------------------------------


def _read_tar(data: bytes, limits: Limits, out: ArchiveContents) -> None:
    stream = _BoundedReader(io.BytesIO(data), _Budget(limits))
    # Stream mode ("r|") reads forward only, so a member's bytes pass through the budget
    # once, and tarfile never seeks to offsets the archive claims.
    with tarfile.open(fileobj=stream, mode="r|", encoding="utf-8", errors="surrogateescape") as tar:
        for seen, member in enumerate(tar, start=1):
            _count(seen, limits)
            refusal = _tar_refusal(member)
            if refusal is not None:
                out.findings.append(refusal)
                continue
            if member.isdir():
                _add(out, member.name, None, limits)
                continue
            _member_size(member.size, member.name, limits)
            handle = tar.extractfile(member)
            body = _read_chunks(handle, member.size) if handle is not None else b""
            _member_size(len(body), member.name, limits)
            _add(out, member.name, body, limits)


def _read_chunks(handle: IO[bytes], size: int) -> bytes:
    # In chunks: a buffered read(n) allocates n bytes up front, so one read(256 MiB) per
    # member made 2,000 empty members cost seconds and a 256 MiB peak each.
    parts: list[bytes] = []
    left = size
    while left > 0 and (chunk := handle.read(min(_CHUNK, left))):
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _tar_refusal(member: tarfile.TarInfo) -> Finding | None:
    name = member.name
    where = _where(name)
    if member.issym():
        return error("archive.symlink", f"member {name!r} is a symbolic link; include the file itself", where)
    if member.islnk():
        return error("archive.hardlink", f"member {name!r} is a hard link; include the file itself", where)
    if member.ischr() or member.isblk() or member.isfifo():
        return error("archive.special_file", f"member {name!r} is a device or a pipe, not a file", where)
    if not (member.isreg() or member.isdir()) or member.issparse():
        return error("archive.special_file", f"member {name!r} is not a regular file or folder", where)
    return None


# --- zip --------------------------------------------------------------------------------


def _zip_directory_check(data: bytes, limits: Limits) -> None:
    """Refuse an oversize central directory before zipfile parses it.

    zipfile reads every directory entry into a ZipInfo when it opens the archive, before
    the member count can be checked: 100,000 empty members took 40 s and 50 MiB. Both the
    entry count the end record declares and the directory's size (which a lying count does
    not bound) are checked first; a real entry (name up to 200 characters, usual extras) is
    well under _ZIP_ENTRY_BYTES.
    """
    end = zipfile._EndRecData(io.BytesIO(data))  # type: ignore[attr-defined]  # noqa: SLF001
    if end is None:
        return  # not a zip end record: zipfile reports it as corrupt
    entries, directory_bytes = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if entries > limits.max_members or directory_bytes > limits.max_members * _ZIP_ENTRY_BYTES:
        _count(max(entries, limits.max_members + 1), limits)


def _read_zip(data: bytes, limits: Limits, out: ArchiveContents) -> None:
    budget = _Budget(limits)
    consumed = 0  # compressed bytes of the members read so far
    _zip_directory_check(data, limits)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        _count(len(infos), limits)
        for info in infos:
            before = consumed
            # A member reads at most its compress_size of real bytes, so its declared
            # compress_size bounds what it consumes, whatever else it claims.
            consumed += max(info.compress_size, 0)
            name = _zip_name(info)
            refusal = _zip_refusal(info, name)
            if refusal is not None:
                out.findings.append(refusal)
                continue
            if info.is_dir():
                _add(out, name, None, limits)
                continue
            _member_size(info.file_size, name, limits)
            _add(out, name, _read_zip_member(archive, info, name, (budget, before), limits), limits)


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The name as UTF-8; zip tools often write UTF-8 without setting the flag that says so."""
    if info.flag_bits & _ZIP_UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437")
    return raw.decode("utf-8", "surrogateescape")


def _zip_refusal(info: zipfile.ZipInfo, name: str) -> Finding | None:
    # Only Unix-made zips (create_system 3) carry a file mode in the high bits.
    mode = info.external_attr >> 16 if info.create_system == 3 else 0
    where = _where(name)
    if stat.S_ISLNK(mode):
        return error("archive.symlink", f"member {name!r} is a symbolic link; include the file itself", where)
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return error(
            "archive.special_file", f"member {name!r} is a device, pipe or socket, not a file", where
        )
    return None


def _read_zip_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, spent: tuple[_Budget, int], limits: Limits
) -> bytes:
    budget, before = spent
    parts: list[bytes] = []
    size = 0
    with archive.open(info) as handle:

        def consumed() -> int:
            # The compressed bytes zipfile has taken of this member so far (it reads them
            # in chunks of at most what is asked), so the ratio holds within a member too:
            # against the member's declared compress_size, one 1 MiB member of zeros could
            # inflate to 200 MiB in memory before the ratio stopped it.
            left = max(getattr(handle, "_compress_left", 0), 0)
            # Read but not yet inflated: zipfile keeps it in the decompressor's tail.
            tail = len(getattr(getattr(handle, "_decompressor", None), "unconsumed_tail", b"") or b"")
            return before + max(info.compress_size - left - tail, 0)

        while chunk := handle.read(min(_CHUNK, budget.remaining(consumed()) + 1)):
            budget.spend(len(chunk), consumed())
            size += len(chunk)
            _member_size(size, name, limits)
            parts.append(chunk)
    return b"".join(parts)
