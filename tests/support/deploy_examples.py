"""Paths the deployment tests share (a module of its own: `conftest` names are not unique)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
VALID_BUNDLE = EXAMPLES / "hpc-ai500-image-classification-system.tar.gz"
INVALID_BUNDLE = EXAMPLES / "invalid-hardware-changed-lr-duplicate-seed.tar.gz"
