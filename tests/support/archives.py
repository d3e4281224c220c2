"""Archives made in memory from plain files, as a submitter's tar or zip tool makes them."""

from __future__ import annotations

import io
import tarfile
import zipfile


def tar_gz(files: dict[str, bytes], members: list[tarfile.TarInfo] | None = None) -> bytes:
    """A .tar.gz of `files` (name -> body), then `members` as they are (links, devices ...)."""
    raw = io.BytesIO()
    # PAX (tarfile's default, named because the fuzz tests rely on it) keeps any name as given:
    # not ASCII, longer than ustar allows, or with a NUL in it.
    with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        for member in members or []:
            tar.addfile(member)
    return raw.getvalue()


def symlink(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


def zip_bytes(files: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return raw.getvalue()
