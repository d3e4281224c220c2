"""The result bundle (docs/bundle-format.md): JSON files beside the logs, packed reproducibly."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1


def manifest(
    *,
    suite: str,
    benchmark: str,
    level: str,
    organization: str,
    availability: str,
    profile: str,
    per_sample_training_flops: float,
    model: str,
    model_code_sha256: str | None = None,
) -> dict[str, Any]:
    # The digest of free-level model code lets the service match the bundle to its job's code.
    digest = {"model_code_sha256": model_code_sha256} if model_code_sha256 else {}
    return {
        **digest,
        "format_version": FORMAT_VERSION,
        "suite": suite,
        "benchmark": benchmark,
        "level": level,
        "organization": organization,
        "availability": availability,
        "profile": profile,
        "per_sample_training_flops": per_sample_training_flops,
        "model": model,
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def pack(bundle_dir: Path, archive: Path) -> Path:
    """A .tar.gz of bundle_dir under its own name, byte-identical for identical files.

    Sorted entries, zeroed times and owners, fixed modes and a gzip header without a name or
    a time: packing the same files twice gives the same bytes (and the same SHA-256).
    """
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_info(bundle_dir.name, tarfile.DIRTYPE, 0o755, 0))
        for path in sorted(bundle_dir.rglob("*")):
            name = f"{bundle_dir.name}/{path.relative_to(bundle_dir).as_posix()}"
            if path.is_dir():
                tar.addfile(_info(name, tarfile.DIRTYPE, 0o755, 0))
            elif path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                tar.addfile(_info(name, tarfile.REGTYPE, 0o644, len(data)), io.BytesIO(data))
    archive.parent.mkdir(parents=True, exist_ok=True)
    with archive.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(buffer.getvalue())
    return archive


def _info(name: str, kind: bytes, mode: int, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size, info.mtime = kind, mode, size, 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info
