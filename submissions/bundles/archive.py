"""Read a .tar.gz or .zip bundle as a stream of members, refusing anything unsafe.

Nothing is extracted to disk and no member is held whole: ``read_archive`` reads every
member once, in chunks, keeping only the small JSON documents; ``read_members`` reads the
archive again and hands the chosen members (the logs) on chunk by chunk. Every read goes
through a byte budget checked as the bytes arrive, so a decompression bomb costs at most
``Limits.max_total_uncompressed`` bytes of reading (and usually far less, the ratio test
stops it early), whatever sizes the archive declares.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from .archive_members import Member, Stop, tar_members, zip_members
from .paths import drop_junk, is_junk, strip_top_folder
from .report import Finding, Limits, error, warning


@dataclass
class ArchiveContents:
    """What one read of the archive leaves: names, the kept documents, the findings.

    ``names`` maps each file's name in the bundle (junk dropped, a lone top-level folder
    stripped) to its name in the archive; ``documents`` and ``oversized`` are keyed by the
    bundle name too.
    """

    kind: str = ""
    names: dict[str, str] = field(default_factory=dict)
    documents: dict[str, bytes] = field(default_factory=dict)
    oversized: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def read_archive(
    data: bytes | IO[bytes], filename: str, limits: Limits, *, keep: Callable[[str], bool] | None = None
) -> ArchiveContents:
    """Read every member once; hold those ``keep`` names (up to ``max_document_bytes``)."""
    source = _source(data)
    out = ArchiveContents()
    size = _size(source)
    if size > limits.max_archive_bytes:
        out.findings.append(
            error(
                "archive.too_large",
                f"{filename} is {size} bytes; bundles may be at most {limits.max_archive_bytes} bytes",
                "archive",
            )
        )
        return out
    kind = _sniff(source)
    if kind is None:
        out.findings.append(_unknown_format(source, filename))
        return out
    out.kind = kind
    out.findings.extend(_extension_check(kind, filename))
    held: dict[str, bytes] = {}
    oversized: dict[str, int] = {}
    seen: dict[str, str] = {}
    try:
        first = ""  # the first name that is not clutter
        for name, chunks in _members(source, kind, limits, out.findings):
            seen[name] = name
            first = first or ("" if is_junk(name) else name)
            wanted = keep is not None and keep(name) and _may_be_top_level(name, first)
            _hold(name, chunks, wanted, limits, (held, oversized))
    except Stop as stop:
        out.findings.append(stop.finding)
    except Exception as exc:  # noqa: BLE001 - any parser failure on hostile bytes means "corrupt"
        reason = str(exc)[:200] or type(exc).__name__
        out.findings.append(
            error("archive.corrupt", f"{filename} is not a readable {kind} archive: {reason}", "archive")
        )
    if any(f.severity == "error" for f in out.findings):
        return out
    kept, junk = drop_junk(seen)
    out.names = strip_top_folder(kept)
    out.documents = {name: held[raw] for name, raw in out.names.items() if raw in held}
    out.oversized = {name: oversized[raw] for name, raw in out.names.items() if raw in oversized}
    out.findings.extend(junk)
    return out


def read_members(data: bytes | IO[bytes], kind: str, limits: Limits) -> Iterator[Member]:
    """The archive's accepted members again, in archive order, each to be read or passed over.

    Meant for an archive that ``read_archive`` accepted: its findings are not repeated.
    """
    yield from _members(_source(data), kind, limits, [])


def _hold(
    name: str,
    chunks: Iterator[bytes],
    wanted: bool,
    limits: Limits,
    into: tuple[dict[str, bytes], dict[str, int]],
) -> None:
    held, oversized = into
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:  # read to the end either way: the budget counts every byte
        size += len(chunk)
        if wanted and size <= limits.max_document_bytes:
            parts.append(chunk)
    if not wanted:
        return
    if size > limits.max_document_bytes:
        oversized[name] = size
    else:
        held[name] = b"".join(parts)


def _may_be_top_level(name: str, first: str) -> bool:
    """Whether ``name`` can end at the bundle's root: it is there, or under the one folder
    that every name must share for that folder to be stripped (the first name's)."""
    return "/" not in name or name.split("/", 1)[0] == first.split("/", 1)[0]


def _source(data: bytes | IO[bytes]) -> IO[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(data)
    data.seek(0)
    return data


def _size(source: IO[bytes]) -> int:
    size = source.seek(0, io.SEEK_END)
    source.seek(0)
    return size


def _members(source: IO[bytes], kind: str, limits: Limits, findings: list[Finding]) -> Iterator[Member]:
    source.seek(0)
    if kind == "tar.gz":
        yield from tar_members(source, limits, findings)
    else:
        yield from zip_members(source, limits, findings)


def _sniff(source: IO[bytes]) -> str | None:
    data = source.read(4)
    source.seek(0)
    if data[:2] == b"\x1f\x8b":
        return "tar.gz"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    return None


def _unknown_format(source: IO[bytes], filename: str) -> Finding:
    data = source.read(262)
    source.seek(0)
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
