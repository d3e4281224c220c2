"""The committed example bundles, optionally with another system name (another sha256 too)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from tests.support.archives import tar_gz

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(
    name: str = "hpc-ai500-image-classification-system.tar.gz", system_name: str | None = None
) -> bytes:
    data = (EXAMPLES / name).read_bytes()
    if system_name is None:
        return data
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    system = json.loads(files["system.json"])
    system["system_name"] = system_name
    files["system.json"] = json.dumps(system).encode()
    return tar_gz(files)
