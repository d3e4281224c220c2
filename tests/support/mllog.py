"""Reading the MLLOG lines of a run log the harness wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PREFIX = ":::MLLOG "


def read_mllog(path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line[len(PREFIX) :]) for line in path.read_text().splitlines() if line.startswith(PREFIX)
    ]
