"""What the validator returns: findings, per-run figures and the bundle's report.

Everything here is plain data with ``to_dict()`` so that the same report can be stored
by the service (as JSON), printed by ``benchcouncil check --json`` and read back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Bounds on what one bundle may cost us to read; a hostile archive stops at these."""

    max_archive_bytes: int = 200 * MiB
    max_members: int = 2000
    max_total_uncompressed: int = 1 * GiB
    max_member_bytes: int = 256 * MiB
    max_compression_ratio: float = 200
    max_path_depth: int = 16
    max_log_lines: int = 2_000_000
    # An MLLOG event fits in a few hundred bytes; a longer MLLOG line is a finding, and
    # reading one never holds more than this much of it.
    max_line_bytes: int = 1 * MiB
    # manifest.json, system.json and hyperparameters.json are held whole to be parsed.
    max_document_bytes: int = 1 * MiB
    # Tiny archives expand well past any sane ratio (tar pads to 10 KiB of zeros), so the
    # ratio test only starts once this much has been decompressed.
    ratio_floor_bytes: int = 1 * MiB


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    location: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Finding:
        return cls(**{f.name: raw[f.name] for f in fields(cls) if f.name in raw})


def shown(value: Any) -> str:
    """A value from a bundle, for a message: text quoted, anything else as its JSON (null, true)."""
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value, ensure_ascii=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


def error(code: str, message: str, location: str = "") -> Finding:
    return Finding("error", code, message, location)


def warning(code: str, message: str, location: str = "") -> Finding:
    return Finding("warning", code, message, location)


def info(code: str, message: str, location: str = "") -> Finding:
    return Finding("info", code, message, location)


@dataclass
class RunReport:
    """One training run's figures, derived from its log as docs/bundle-format.md says."""

    log_name: str
    # sha256 of the log's bytes, so that the same log sent again is recognised.
    log_sha256: str = ""
    seed: int | None = None
    status: Literal["success", "aborted"] = "aborted"
    converged: bool = False
    time_to_train_s: float | None = None
    time_to_quality_s: float | None = None
    achieved_quality: float | None = None
    samples_processed: int = 0
    epochs_completed: int = 0
    per_sample_flops: float | None = None
    total_flops: float | None = None
    global_batch_size: int | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    curve: list[dict[str, float]] = field(default_factory=list)
    run_start_ms: int | None = None
    run_stop_ms: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunReport:
        return cls(**{f.name: raw[f.name] for f in fields(cls) if f.name in raw})


@dataclass
class BundleReport:
    sha256: str
    size: int
    manifest: dict[str, Any] | None = None
    system: dict[str, Any] | None = None
    hyperparameters: dict[str, Any] | None = None
    suite: str | None = None
    benchmark: str | None = None
    level: str | None = None
    profile: str | None = None
    availability: str | None = None
    catalogue_version: str | None = None
    runs: list[RunReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def to_dict(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["valid"] = self.valid
        return raw

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> BundleReport:
        # ``valid`` is derived from the findings, so a stored value is never trusted.
        known = {f.name for f in fields(cls)} - {"runs", "findings"}
        report = cls(**{k: v for k, v in raw.items() if k in known})
        report.runs = [RunReport.from_dict(r) for r in raw.get("runs", [])]
        report.findings = [Finding.from_dict(f) for f in raw.get("findings", [])]
        return report
