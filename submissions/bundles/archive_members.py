"""The members of a .tar.gz or .zip, one at a time, each read in chunks through the budget.

A member's name is checked before its bytes are read; the budget (total size and ratio to
the compressed bytes consumed so far) is checked as each chunk arrives.
"""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from typing import IO

from .paths import MAX_NAME_CHARS, normalise_name, shown_name
from .report import Finding, Limits, error

CHUNK = 256 * 1024
_ZIP_UTF8_FLAG = 0x800
_ZIP_ENTRY_BYTES = 512

# A member, named as ``normalise_name`` names it, and its bytes as they are read.
Member = tuple[str, Iterator[bytes]]


class Stop(Exception):  # noqa: N818 - a control-flow signal, not an error to report upward
    """Abandon the archive; the finding says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


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
            raise Stop(
                error(
                    "archive.bomb_size",
                    f"the archive expands to more than {self.limits.max_total_uncompressed} bytes; "
                    "leave data sets and checkpoints out of the bundle",
                    "archive",
                )
            )
        if self.used > self._ratio_cap(consumed):
            raise Stop(
                error(
                    "archive.bomb_ratio",
                    f"the archive expands more than {self.limits.max_compression_ratio:g} times its "
                    "compressed size, which is what a decompression bomb does",
                    "archive",
                )
            )


class _BoundedReader(io.RawIOBase):
    """A file-like view of a decompressing stream that never reads past the budget."""

    def __init__(self, compressed: IO[bytes], budget: _Budget) -> None:
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


def _accept(
    raw_name: str, regular: bool, limits: Limits, state: tuple[list[Finding], set[str]]
) -> str | None:
    """The checked name of a regular file to read, or None (a folder, or a refused name)."""
    findings, seen = state
    name, problem = normalise_name(raw_name, limits)
    if problem is not None:
        findings.append(problem)
        return None
    if name is None or not regular:
        return None
    if name in seen:
        findings.append(
            error("archive.duplicate_name", f"the archive holds {name!r} more than once", f"archive:{name}")
        )
        return None
    seen.add(name)
    return name


def _count(seen: int, limits: Limits) -> None:
    if seen > limits.max_members:
        raise Stop(
            error(
                "archive.too_many_members",
                f"the archive holds more than {limits.max_members} files and folders",
                "archive",
            )
        )


def _member_size(declared: int, name: str, limits: Limits) -> None:
    if declared > limits.max_member_bytes:
        raise Stop(
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


def tar_members(source: IO[bytes], limits: Limits, findings: list[Finding]) -> Iterator[Member]:
    stream = _BoundedReader(source, _Budget(limits))
    seen: set[str] = set()
    # Stream mode ("r|") reads forward only, so a member's bytes pass through the budget
    # once, and tarfile never seeks to offsets the archive claims.
    with tarfile.open(
        fileobj=stream, mode="r|", encoding="utf-8", errors="surrogateescape", bufsize=CHUNK
    ) as tar:
        for count, member in enumerate(tar, start=1):
            _count(count, limits)
            refusal = _tar_refusal(member)
            if refusal is not None:
                findings.append(refusal)
                continue
            if not member.isdir():
                _member_size(member.size, member.name, limits)
            name = _accept(member.name, not member.isdir(), limits, (findings, seen))
            if name is not None:
                yield name, _tar_chunks(tar, member, limits)


def _tar_chunks(tar: tarfile.TarFile, member: tarfile.TarInfo, limits: Limits) -> Iterator[bytes]:
    handle = tar.extractfile(member)
    if handle is None:
        return
    yield from _read_chunks(handle, member.size, member.name, limits)


def _read_chunks(handle: IO[bytes], size: int, name: str, limits: Limits) -> Iterator[bytes]:
    # In chunks: a buffered read(n) allocates n bytes up front, so one read(256 MiB) per
    # member made 2,000 empty members cost seconds and a 256 MiB peak each.
    left, read = size, 0
    while left > 0 and (chunk := handle.read(min(CHUNK, left))):
        left -= len(chunk)
        read += len(chunk)
        _member_size(read, name, limits)
        yield chunk


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


def _zip_directory_check(source: IO[bytes], limits: Limits) -> None:
    """Refuse an oversize central directory before zipfile parses it.

    zipfile reads every directory entry into a ZipInfo when it opens the archive, before
    the member count can be checked: 100,000 empty members took 40 s and 50 MiB. Both the
    entry count the end record declares and the directory's size (which a lying count does
    not bound) are checked first; a real entry (name up to 200 characters, usual extras) is
    well under _ZIP_ENTRY_BYTES.
    """
    end = zipfile._EndRecData(source)  # type: ignore[attr-defined]  # noqa: SLF001
    source.seek(0)
    if end is None:
        return  # not a zip end record: zipfile reports it as corrupt
    entries, directory_bytes = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if entries > limits.max_members or directory_bytes > limits.max_members * _ZIP_ENTRY_BYTES:
        _count(max(entries, limits.max_members + 1), limits)


def zip_members(source: IO[bytes], limits: Limits, findings: list[Finding]) -> Iterator[Member]:
    budget = _Budget(limits)
    consumed = 0  # compressed bytes of the members read so far
    seen: set[str] = set()
    _zip_directory_check(source, limits)
    with zipfile.ZipFile(source) as archive:
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
                findings.append(refusal)
                continue
            if not info.is_dir():
                _member_size(info.file_size, name, limits)
            accepted = _accept(name, not info.is_dir(), limits, (findings, seen))
            chunks = _zip_chunks(archive, info, name, (budget, before), limits)
            if accepted is not None:
                yield accepted, chunks
            elif not info.is_dir():
                for _ in chunks:  # a refused member's bytes still count against the budget
                    pass


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


def _zip_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, spent: tuple[_Budget, int], limits: Limits
) -> Iterator[bytes]:
    budget, before = spent
    size = 0
    with archive.open(info) as handle:

        def consumed() -> int:
            # The compressed bytes zipfile has taken of this member so far (it reads them
            # in chunks of at most what is asked), so the ratio holds within a member too:
            # against the member's declared compress_size, one 1 MiB member of zeros could
            # inflate to 200 MiB before the ratio stopped it.
            left = max(getattr(handle, "_compress_left", 0), 0)
            # Read but not yet inflated: zipfile keeps it in the decompressor's tail.
            tail = len(getattr(getattr(handle, "_decompressor", None), "unconsumed_tail", b"") or b"")
            return before + max(info.compress_size - left - tail, 0)

        while chunk := handle.read(min(CHUNK, budget.remaining(consumed()) + 1)):
            budget.spend(len(chunk), consumed())
            size += len(chunk)
            _member_size(size, name, limits)
            yield chunk
