"""A corpus of hostile archives, each built in a few MiB however large it claims to be.

The bombs are written to a temporary file chunk by chunk: one fully-flushed deflate block of
zeros is compressed once and repeated, so 10 GiB of content costs ~10 MiB on disk and is
never held decompressed anywhere.
"""

from __future__ import annotations

import gzip
import io
import random
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

MiB = 1024 * 1024
GiB = 1024 * MiB


def _zero_block() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(bytes(MiB)) + packer.flush(zlib.Z_FULL_FLUSH)


def _deflate(data: bytes, final: bool = False) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def bomb_tar_gz(path: Path, total: int = 10 * GiB, member: int = 250 * MiB) -> Path:
    """A .tar.gz whose members (each under the one-file limit) add up to `total` bytes."""
    block = _zero_block()
    with path.open("wb") as out:
        out.write(gzip.compress(b"")[:10])  # the gzip header alone; no trailer is ever reached
        for i in range(total // member):
            header = tarfile.TarInfo(f"code/part{i}.bin")
            header.size = member
            out.write(_deflate(header.tobuf()))
            for _ in range(member // MiB):
                out.write(block)
    return path


def bomb_zip(path: Path, total: int = 10 * GiB, member: int = 200 * MiB) -> Path:
    """A .zip of honest-looking members of zeros, `total` bytes in all, written member by member."""
    block, crc = _zero_block(), 0
    for _ in range(member // MiB):
        crc = zlib.crc32(bytes(MiB), crc)
    body_size = len(block) * (member // MiB) + len(_deflate(b"", final=True))
    directory, offset = [], 0
    with path.open("wb") as out:
        for i in range(total // member):
            name = f"code/part{i}.bin".encode()
            fields = (20, 0, 8, 0, 0x21, crc, body_size, member, len(name))
            local = b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields, 0) + name
            out.write(local)
            for _ in range(member // MiB):
                out.write(block)
            out.write(_deflate(b"", final=True))
            central = b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, 0, offset)
            directory.append(central + name)
            offset += len(local) + body_size
        listing = b"".join(directory)
        out.write(listing)
        count = len(directory)
        out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(listing), offset, 0))
    return path


def _tar(members: list[tuple[tarfile.TarInfo, bytes]], **options: object) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz", **options) as tar:  # type: ignore[call-overload]
        for info, body in members:
            info.size = len(body) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(body) if info.isreg() else None)
    return raw.getvalue()


def _info(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


def _zip(names: list[str]) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        for name in names:
            archive.writestr(name, b"x")
    return raw.getvalue()


def tiny_files_tar(count: int = 100_000) -> bytes:
    """`count` empty files: 512-byte headers that compress to almost nothing.

    One header is made by tarfile; the others patch its name digits and checksum, which is
    ~50 times faster than asking tarfile for each.
    """
    template = tarfile.TarInfo("code/000000.py").tobuf()
    base = sum(template[:148]) + sum(template[156:]) + 8 * ord(" ") - sum(b"000000")
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as out:
        for i in range(count):
            digits = b"%06d" % i
            checksum = b"%06o\0 " % (base + sum(digits))
            out.write(template[:5] + digits + template[11:148] + checksum + template[156:])
        out.write(bytes(1024))
    return raw.getvalue()


def tiny_files_zip(count: int = 100_000) -> bytes:
    """`count` empty stored members, local headers and central directory written directly."""
    local_parts, central_parts, offset = [], [], 0
    for i in range(count):
        name = b"c/%06d" % i
        fields = (10, 0, 0, 0, 0x21, 0, 0, 0, len(name))
        local = b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields, 0) + name
        central_parts.append(
            b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, 0, offset) + name
        )
        local_parts.append(local)
        offset += len(local)
    listing = b"".join(central_parts)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 0xFFFF, 0xFFFF, len(listing), offset, 0)
    # 100,000 entries need zip64's end record; 0xFFFF above says "see zip64".
    zip64_end = b"PK\x06\x06" + struct.pack(
        "<QHHIIQQQQ", 44, 45, 45, 0, 0, count, count, len(listing), offset
    )
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, offset + len(listing), 1)
    return b"".join(local_parts) + listing + zip64_end + locator + end


def non_utf8_name_tar() -> bytes:
    return _tar([(_info("code/caf\xe9.py"), b"x")], format=tarfile.GNU_FORMAT, encoding="latin-1")


def non_utf8_name_zip() -> bytes:
    # Without the UTF-8 flag a zip name is cp437 bytes: b"caf\xe9" is not UTF-8.
    data = _zip(["code/cafX.py"])
    return data.replace(b"cafX", b"caf\xe9")


def in_memory_corpus() -> dict[str, tuple[Callable[[], bytes], str, str]]:
    """name -> (builder, file name, the finding code that must reject it)."""
    deep = "/".join(["d"] * 60) + "/f.py"
    return {
        "zip slip (tar)": (
            lambda: _tar([(_info("../../etc/cron.d/x"), b"x")]),
            "b.tar.gz",
            "archive.path_traversal",
        ),
        "zip slip (zip)": (lambda: _zip(["logs/../../../x.log"]), "b.zip", "archive.path_traversal"),
        "absolute path (tar)": (
            lambda: _tar([(_info("/etc/passwd"), b"x")]),
            "b.tar.gz",
            "archive.absolute_path",
        ),
        "absolute path (zip)": (lambda: _zip(["/tmp/x"]), "b.zip", "archive.absolute_path"),  # noqa: S108
        "symlink": (
            lambda: _tar([(_info("logs/r.log", tarfile.SYMTYPE, "/etc/shadow"), b"")]),
            "b.tar.gz",
            "archive.symlink",
        ),
        "hardlink": (
            lambda: _tar([(_info("logs/r.log", tarfile.LNKTYPE, "/etc/shadow"), b"")]),
            "b.tar.gz",
            "archive.hardlink",
        ),
        "character device": (
            lambda: _tar([(_info("code/tty", tarfile.CHRTYPE), b"")]),
            "b.tar.gz",
            "archive.special_file",
        ),
        "block device": (
            lambda: _tar([(_info("code/sda", tarfile.BLKTYPE), b"")]),
            "b.tar.gz",
            "archive.special_file",
        ),
        "fifo": (
            lambda: _tar([(_info("code/p", tarfile.FIFOTYPE), b"")]),
            "b.tar.gz",
            "archive.special_file",
        ),
        "100,000 tiny files (tar)": (tiny_files_tar, "b.tar.gz", "archive.too_many_members"),
        "100,000 tiny files (zip)": (tiny_files_zip, "b.zip", "archive.too_many_members"),
        "deeply nested folders": (lambda: _tar([(_info(deep), b"x")]), "b.tar.gz", "archive.too_deep"),
        "10,000 folders deep": (
            lambda: _tar([(_info("d/" * 10_000 + "f"), b"x")]),
            "b.tar.gz",
            "archive.unsafe_name",
        ),
        "non-UTF-8 name (tar)": (non_utf8_name_tar, "b.tar.gz", "archive.unsafe_name"),
        "non-UTF-8 name (zip)": (non_utf8_name_zip, "b.zip", "archive.unsafe_name"),
    }


def temp_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="hostile-"))


def _hex_block() -> bytes:
    """1 MiB of hex digits, a 16 KiB pattern repeated: it deflates about 140 times, under the ratio."""
    rng = random.Random(15)
    pattern = bytes(rng.choice(b"0123456789abcdef") for _ in range(16 * 1024))
    return pattern * 64


def long_line_tar_gz(path: Path, logs: int = 4, line: int = 100 * MiB) -> Path:
    """A complete bundle whose logs are each one MLLOG line of `line` bytes, inside every limit.

    Written as deflate blocks: the 1 MiB block of the line is compressed once and repeated,
    so the archive costs a few MiB to make and is never held decompressed.
    """
    documents = _example_documents()
    block = _hex_block()
    packed = _deflate(block)
    crc, size = 0, 0
    with path.open("wb") as out:
        out.write(gzip.compress(b"", mtime=0)[:10])

        def put(data: bytes, compressed: bytes | None = None) -> None:
            nonlocal crc, size
            out.write(compressed if compressed is not None else _deflate(data))
            crc, size = zlib.crc32(data, crc), size + len(data)

        for name, body in documents.items():
            put(_tar_header(name, len(body)) + body + bytes(-len(body) % 512))
        head, tail = b':::MLLOG {"key": "tracked_stats", "value": "', b'"}\n'
        for run in range(1, logs + 1):
            length = len(head) + line + len(tail)
            put(_tar_header(f"logs/run_{run}.log", length) + head)
            for _ in range(line // MiB):
                put(block, packed)
            put(tail + bytes(-length % 512))
        put(bytes(1024))
        out.write(_deflate(b"", final=True))
        out.write(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return path


def _tar_header(name: str, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.mode = size, 0o644
    return info.tobuf()


def _example_documents() -> dict[str, bytes]:
    example = (
        Path(__file__).resolve().parents[2] / "examples" / "hpc-ai500-image-classification-system.tar.gz"
    )
    with tarfile.open(example, mode="r:gz") as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar
            if m.isfile() and m.name.endswith(".json")
        }
