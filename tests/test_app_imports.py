"""Imports run one way down the pipeline: catalogue <- submissions <- ranking, runners.

The catalogue imports none of the other apps, and submissions imports neither ranking nor
runners: what they must hear of a submission, they hear through submissions.signals or a task
queued by name. Every module is read as source (its syntax tree), so an import inside a
function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "catalogue": ("ranking", "submissions", "runners"),
    "submissions": ("ranking", "runners"),
}


def imported_modules(path: Path) -> set[str]:
    """The absolute module names a file imports (relative imports stay inside its app)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def crossings(app: str) -> set[tuple[str, str]]:
    found = set()
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.relative_to(ROOT).parts:
            continue
        for module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN[app]:
                found.add((path.relative_to(ROOT).as_posix(), module))
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_it_finds_no_import_against_the_flow(app: str) -> None:
    assert crossings(app) == set()


def test_it_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "from . import local\n"
        "import catalogue.models\n"
        "def later():\n"
        "    from ranking.services import leaderboard_recompute\n"
    )
    assert imported_modules(module) == {"catalogue.models", "ranking.services"}
