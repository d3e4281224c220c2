"""The bundle's layout: which files it must have at its top, and findings that say how to fix it.

A bundle packed one folder too deep gets one finding naming the folder to move up, instead of
one per missing and unexpected file; a close misspelling of a required name gets "did you mean".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from .report import Finding, error, warning
from .spelling import closest

MANIFEST, SYSTEM, HYPERPARAMETERS = "manifest.json", "system.json", "hyperparameters.json"
REQUIRED = (MANIFEST, SYSTEM)
KNOWN = frozenset({MANIFEST, SYSTEM, HYPERPARAMETERS})
LOG = re.compile(r"^logs/[^/]+\.log$")
LOGS_FOLDER = "logs"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def format_url() -> str:
    """The bundle format's page on the service the findings are read against.

    The service's SITE_URL, or, for `benchcouncil check` run beside a CI job, the service it
    submits to (BENCHCOUNCIL_URL).
    """
    base = os.environ.get("SITE_URL") or os.environ.get("BENCHCOUNCIL_URL") or DEFAULT_SITE_URL
    return base.rstrip("/") + "/docs/bundle-format/"


def layout_findings(names: Iterable[str]) -> list[Finding]:
    files = sorted(names)
    nested = nested_folder(files)
    if nested is not None:
        return [_nested(nested, files)]
    return _missing(files) + _unexpected(files)


def nested_folder(files: list[str]) -> str | None:
    """The folder that holds the bundle's files when they are one level too deep, if any."""
    if any(name in KNOWN for name in files):
        return None
    for name in files:
        folder, _, rest = name.partition("/")
        if rest in REQUIRED:
            return folder
    return None


def _nested(folder: str, files: list[str]) -> Finding:
    others = sorted({name.split("/", 1)[0] for name in files if not name.startswith(f"{folder}/")})
    besides = f" (beside {', '.join(others)}, which are ignored)" if others else ""
    return error(
        "bundle.nested_folder",
        f"the bundle's files are under {folder}/{besides}: move manifest.json, system.json and logs/ up "
        f"one folder, to the bundle's top, and pack again; see {format_url()}",
        f"{folder}/",
    )


def _missing(files: list[str]) -> list[Finding]:
    findings = []
    for name in REQUIRED:
        if name not in files:
            findings.append(
                error(
                    "bundle.missing_file",
                    f"the bundle has no {name}{_did_you_mean(name, files)}; see {format_url()}",
                    name,
                )
            )
    if not any(LOG.match(name) for name in files):
        folders = sorted({name.split("/", 1)[0] for name in files if "/" in name})
        hint = _did_you_mean(LOGS_FOLDER, folders, suffix="/")
        findings.append(
            error(
                "bundle.missing_file",
                f"the bundle has no logs/*.log, one per training run{hint}; see {format_url()}",
                "logs/",
            )
        )
    return findings


def _unexpected(files: list[str]) -> list[Finding]:
    return [
        warning(
            "bundle.unexpected_file",
            f"{name} is not part of the bundle format and is ignored (code belongs under code/, "
            "run logs directly under logs/ as *.log)",
            name,
        )
        for name in files
        if name not in KNOWN and not LOG.match(name) and not name.startswith("code/")
    ]


def _did_you_mean(wanted: str, present: Iterable[str], suffix: str = "") -> str:
    """ "; did you mean X? ..." for a present name close to `wanted` (case aside), else ""."""
    close = closest(wanted, {name.split("/", 1)[0] if not suffix else name for name in present})
    if close is None:
        return ""
    return f"; {close}{suffix} looks like a misspelling of it: did you mean {wanted}{suffix}?"
