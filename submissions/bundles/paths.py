"""Member names: which are safe to accept, and the bundle's own layout of them."""

from __future__ import annotations

import re
from typing import TypeVar

from .report import Finding, Limits, error, info

# Control characters and backslashes have no business in a bundle path: the first can
# hide text on a terminal, the second is a separator (and so a way out) on Windows.
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")
_DRIVE = re.compile(r"^[A-Za-z]:")
# Operating systems add these to archives made by their file managers; nobody means them.
_JUNK_FOLDERS = ("__MACOSX",)
_JUNK_FILES = (".DS_Store", "Thumbs.db")
_BUNDLE_FOLDERS = {"logs", "code"}
# Names end up in database columns of 255 characters (a run's log name, a finding's location).
MAX_NAME_CHARS = 200

T = TypeVar("T")


def shown_name(raw: str) -> str:
    """A member name as printable ASCII, for messages and locations.

    Control characters (NUL included: no PostgreSQL text column holds one), non-ASCII and
    undecodable bytes appear as escapes, so a name can neither hide text on a terminal nor
    break the row that stores the finding.
    """
    return ascii(raw)[1:-1]


def normalise_name(raw: str, limits: Limits) -> tuple[str | None, Finding | None]:
    """The member's path as ``a/b/c``, or why it cannot be accepted.

    Returns ``(None, None)`` for names that mean the bundle's root itself (``./``).
    """
    shown = shown_name(raw)
    where = f"archive:{shown[:MAX_NAME_CHARS]}"
    if _has_surrogates(raw):
        return None, error("archive.unsafe_name", f"member name {shown!r} is not valid UTF-8", where)
    if _UNSAFE_CHARS.search(raw):
        return None, error(
            "archive.unsafe_name",
            f"member name {shown!r} contains a control character or a backslash; use '/' "
            "between folders and plain printable names",
            where,
        )
    if len(raw) > MAX_NAME_CHARS:
        return None, error(
            "archive.unsafe_name",
            f"member name {shown[:60]!r}... is {len(raw)} characters long; "
            f"at most {MAX_NAME_CHARS} are allowed",
            where,
        )
    if raw.startswith("/") or _DRIVE.match(raw):
        return None, error(
            "archive.absolute_path",
            f"member {shown!r} has an absolute path; pack the bundle with paths relative to its folder",
            where,
        )
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None, error(
            "archive.path_traversal",
            f"member {shown!r} climbs out of the bundle with '..'; pack the bundle from inside its folder",
            where,
        )
    if len(parts) > limits.max_path_depth:
        return None, error(
            "archive.too_deep",
            f"member {shown!r} is {len(parts)} folders deep; at most {limits.max_path_depth} are allowed",
            where,
        )
    return ("/".join(parts) or None), None


def _has_surrogates(name: str) -> bool:
    # tarfile decodes with surrogateescape, so undecodable bytes survive as lone surrogates.
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def is_junk(name: str) -> bool:
    parts = name.split("/")
    return parts[0] in _JUNK_FOLDERS or parts[-1] in _JUNK_FILES or parts[-1].startswith("._")


def drop_junk(files: dict[str, T]) -> tuple[dict[str, T], list[Finding]]:
    kept = {n: b for n, b in files.items() if not is_junk(n)}
    dropped = sorted(set(files) - set(kept))
    findings = [
        info("archive.ignored_member", f"ignored {name!r}: operating-system clutter", f"archive:{name}")
        for name in dropped
    ]
    return kept, findings


def strip_top_folder(files: dict[str, T]) -> dict[str, T]:
    """Accept ``tar czf b.tgz mybundle/``: one top-level folder holding everything."""
    tops = {name.split("/", 1)[0] for name in files}
    # A lone ``logs/`` folder is a bundle missing its JSON files, not a wrapper folder.
    if len(tops) != 1 or tops & _BUNDLE_FOLDERS or not all("/" in name for name in files):
        return files
    return {name.split("/", 1)[1]: body for name, body in files.items()}
