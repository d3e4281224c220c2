"""The line protocol between the trusted harness and a sandboxed process: JSON objects as data.

The harness writes one JSON object per line to the process's stdin; the process answers with
stdout lines starting with MESSAGE_PREFIX. Anything else it prints is log text. A message only
ever asks for or reports data (a seed to train with, "the epoch is trained"): the harness
checks what it receives and never takes a path, a figure or a command from it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import Any

MESSAGE_PREFIX = ":::SANDBOX "
HANDOVER_DIR = "handover"  # under the scratch directory: where the trainer leaves its model
HANDOVER_FILE = "model.pt"  # TorchScript: a graph and its weights, never Python code


def reply(op: str, **fields: Any) -> None:
    line = MESSAGE_PREFIX + json.dumps({"op": op, **fields}) + "\n"
    os.write(sys.__stdout__.fileno() if sys.__stdout__ else 1, line.encode("utf-8"))


def requests() -> Iterator[dict[str, Any]]:
    for line in sys.stdin:
        if line.strip():
            message = json.loads(line)
            if isinstance(message, dict):
                yield message
