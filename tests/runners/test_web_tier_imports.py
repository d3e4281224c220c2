"""The web tier never imports runner code: every web module imports with torch blocked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import importlib, os, pkgutil, sys

sys.modules["torch"] = None  # any `import torch` now raises ImportError
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchcouncil.settings_test")

import django

django.setup()

RUNNER_SIDE = ("runners.worker", "runners.harness")
imported = []


def walk(package):
    # Not pkgutil.walk_packages: it imports every sub-package to look inside, runner ones too.
    module = importlib.import_module(package)
    imported.append(package)
    for info in pkgutil.iter_modules(module.__path__, prefix=package + "."):
        if info.name.startswith(RUNNER_SIDE) or info.name.endswith("__main__"):
            continue
        if info.ispkg:
            walk(info.name)
        else:
            importlib.import_module(info.name)
            imported.append(info.name)


for package in ("benchcouncil", "ranking", "submissions", "runners"):
    walk(package)

import benchcouncil.urls  # the whole URLconf, every view
from benchcouncil.celery import app

app.loader.import_default_modules()  # what a web-tier Celery worker registers

leaked = sorted(
    name
    for name, module in sys.modules.items()
    if module is not None and (name.startswith(RUNNER_SIDE) or name.split(".")[0] == "torch")
)
assert not leaked, f"the web tier imported runner code: {leaked}"
# The level rules the harness shares with the web tier are among what is imported (with torch blocked).
assert "runners.level_rules" in imported, "runners.level_rules was not imported as a web module"
assert "runners.execute_job" not in app.tasks, "the runner task is registered in the web app"
assert "runners.sweep_lost_jobs" in app.tasks
print(len(imported), "modules")
"""


def test_it_imports_every_web_module_without_torch():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )

    assert result.returncode == 0, result.stderr[-3000:]
    count = int(result.stdout.split()[0])
    assert count > 20
