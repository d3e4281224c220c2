"""The commands a document shows, read from the document itself, so tests run them as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def indented_blocks(document: str) -> list[str]:
    """Markdown's indented code blocks (four spaces), each as one shell text."""
    blocks, current = [], []
    in_fence = False
    for line in (ROOT / document).read_text().splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if not in_fence and line.startswith("    "):
            current.append(line[4:])
        elif current and not line.strip() and not in_fence:
            current.append("")
        elif current:
            blocks.append("\n".join(current).strip())
            current = []
    if current:
        blocks.append("\n".join(current).strip())
    return blocks


def block_with(document: str, text: str) -> str:
    found = [block for block in indented_blocks(document) if text in block]
    assert len(found) == 1, f"{document}: {len(found)} blocks hold {text!r}"
    return found[0]


def yaml_blocks(document: str) -> list[Any]:
    """Every ```yaml block of the document, parsed."""
    text = (ROOT / document).read_text()
    return [yaml.safe_load(part.split("```", 1)[0]) for part in text.split("```yaml\n")[1:]]


def workflow_steps(document: str) -> list[dict[str, Any]]:
    """The steps of every job of every workflow (and bare step lists) the document shows."""
    steps = []
    for block in yaml_blocks(document):
        if isinstance(block, dict):
            for job in (block.get("jobs") or {}).values():
                steps += job.get("steps") or []
        elif isinstance(block, list):
            steps += block
    return steps
