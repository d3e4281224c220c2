"""Findings, capped: whatever the input, a report holds a bounded number of them.

A bundle of 2,000 members or a log of two million bad lines could otherwise yield millions
of findings, each held in memory, stored as a row and shown on a page. So at most
``PER_FILE`` findings of one code are kept about one file and ``PER_CODE`` of one code in
the whole report; the rest are counted, and one finding says "and N more like this" in
their place, right after the last one kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .report import Finding, Severity

PER_FILE = 20
PER_CODE = 100
# A message quotes what it is about; a quoted value of a megabyte is cut short.
MAX_MESSAGE_CHARS = 2000
# Codes that had their own wording for the omitted ones before the general cap existed.
_WORDING = {"log.garbage_line": "{file}: {count} more bad MLLOG lines not listed"}


def file_of(location: str) -> str:
    """The file a location points into: ``logs/a.log:12`` -> ``logs/a.log``."""
    return location.split(":", 1)[0]


def at_line(name: str, line: int | None) -> tuple[str, str]:
    """A message's opening and a finding's location for line ``line`` of ``name`` (None: the file)."""
    if line is None:
        return name, name
    return f"{name} line {line}", f"{name}:{line}"


def more_like_this(code: str, severity: Severity, file: str, count: int) -> Finding:
    """Stands for ``count`` findings of ``code`` about ``file`` (or, without one, anywhere)."""
    if not file:
        return Finding(severity, code, f"and {count} more like this", "")
    wording = _WORDING.get(code, "{file}: and {count} more like this")
    return Finding(severity, code, wording.format(file=file, count=count), file)


@dataclass
class _Group:
    severity: Severity
    kept: int = 0
    omitted: int = 0
    last: int = -1  # index in the sink's list of the group's last kept finding


@dataclass
class FindingSink:
    """Collects findings in order, keeping at most ``per_file`` per (code, file)."""

    per_file: int = PER_FILE
    kept: list[Finding] = field(default_factory=list)
    _groups: dict[tuple[str, str], _Group] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        group = self._group(finding.code, finding.severity, file_of(finding.location))
        if group.kept < self.per_file:
            if len(finding.message) > MAX_MESSAGE_CHARS:
                finding = replace(finding, message=finding.message[: MAX_MESSAGE_CHARS - 3] + "...")
            group.kept += 1
            group.last = len(self.kept)
            self.kept.append(finding)
        else:
            group.omitted += 1

    def omit(self, code: str, severity: Severity, file: str, count: int) -> None:
        """Count ``count`` findings that were left out where they arose."""
        self._group(code, severity, file).omitted += count

    def _group(self, code: str, severity: Severity, file: str) -> _Group:
        group = self._groups.get((code, file))
        if group is None:
            group = self._groups[(code, file)] = _Group(severity)
        return group

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.add(finding)

    def absorb(self, other: FindingSink) -> None:
        """Take ``other``'s findings after this sink's own, with what it left out."""
        self.extend(other.kept)
        for (code, file), group in other._groups.items():
            if group.omitted:
                self.omit(code, group.severity, file, group.omitted)

    @property
    def has_errors(self) -> bool:
        return any(group.severity == "error" for group in self._groups.values())

    def findings(self, per_code: int | None = None) -> list[Finding]:
        """The kept findings, each group's "N more" after its last one, capped per code."""
        after: dict[int, list[Finding]] = {}
        trailing: list[Finding] = []
        for (code, file), group in self._groups.items():
            if group.omitted:
                summary = more_like_this(code, group.severity, file, group.omitted)
                (after.setdefault(group.last, []) if group.last >= 0 else trailing).append(summary)
        ordered: list[tuple[Finding, int]] = []
        for index, finding in enumerate(self.kept):
            ordered.append((finding, 1))
            ordered += [(s, self._groups[(s.code, s.location)].omitted) for s in after.get(index, [])]
        ordered += [(s, self._groups[(s.code, s.location)].omitted) for s in trailing]
        return _cap_per_code(ordered, per_code) if per_code is not None else [f for f, _ in ordered]


def _cap_per_code(ordered: list[tuple[Finding, int]], per_code: int) -> list[Finding]:
    """At most ``per_code`` findings of one code; the rest become one "and N more"."""
    seen: dict[str, int] = {}
    dropped: dict[str, tuple[Severity, int]] = {}  # code -> (severity, findings stood for)
    out: list[Finding] = []
    for finding, represents in ordered:
        seen[finding.code] = seen.get(finding.code, 0) + 1
        if seen[finding.code] <= per_code:
            out.append(finding)
            continue
        severity, count = dropped.get(finding.code, (finding.severity, 0))
        dropped[finding.code] = (severity, count + represents)
    last_kept = {f.code: i for i, f in enumerate(out)}
    # From the end, so that each insertion leaves the earlier positions as they are.
    for code in sorted(dropped, key=lambda c: -last_kept[c]):
        severity, count = dropped[code]
        out.insert(last_kept[code] + 1, more_like_this(code, severity, "", count))
    return out
