"""Pack a bundle folder into a .tar.gz that is the same bytes wherever it is made.

Sorted names, mtime 0, no owners and fixed modes: two packs of the same files have the
same sha256, so a submitter can tell at a glance that the uploaded bundle is the one
they checked.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path


class PackError(ValueError):
    """The folder cannot be packed as a bundle (a link, a device, nothing in it)."""


def bundle_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise PackError(f"{directory} is not a folder")
    files = []
    for path in sorted(directory.rglob("*")):
        if path.is_symlink():
            raise PackError(f"{path} is a symbolic link; bundles hold regular files only")
        if path.is_file():
            files.append(path)
        elif not path.is_dir():
            raise PackError(f"{path} is not a regular file")
    if not files:
        raise PackError(f"{directory} holds no files")
    return files


def pack_files(files: dict[str, bytes]) -> bytes:
    """A deterministic .tar.gz of ``files`` (name -> bytes), names at the archive's root."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(files[name]))
    out = io.BytesIO()
    # mtime=0 and an empty file name keep the gzip header free of anything local.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def pack_directory(directory: Path) -> bytes:
    paths = bundle_files(directory)
    return pack_files({path.relative_to(directory).as_posix(): path.read_bytes() for path in paths})
