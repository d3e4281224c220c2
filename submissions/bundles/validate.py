"""validate_bundle: bytes in, a BundleReport out, and never an exception."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ranking.catalogue import Catalogue, get_catalogue
from ranking.catalogue.scaling import system_processes

from .archive import read_archive
from .documents import load_document, schema_properties
from .mllog import parse_log
from .report import BundleReport, Finding, Limits, error, warning
from .rules import FULL, Resolved, check_runs, per_sample_flops, resolve
from .runs import RunFacts, Target, derive_run

MANIFEST, SYSTEM, HYPERPARAMETERS = "manifest.json", "system.json", "hyperparameters.json"
_LOG = re.compile(r"^logs/[^/]+\.log$")


def validate_bundle(
    data: bytes, filename: str, *, catalogue: Catalogue | None = None, limits: Limits | None = None
) -> BundleReport:
    report = BundleReport(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    try:
        _validate(report, data, filename, catalogue or get_catalogue(), limits or Limits())
    except Exception as exc:  # noqa: BLE001 - the contract is findings, never a crash, on any input
        report.findings.append(
            error(
                "validator.internal_error",
                f"the validator failed ({type(exc).__name__}: {exc}); please report it",
            )
        )
    return report


def _validate(report: BundleReport, data: bytes, filename: str, catalogue: Catalogue, limits: Limits) -> None:
    report.catalogue_version = catalogue.version
    contents = read_archive(data, filename, limits)
    report.findings += contents.findings
    if not report.valid:
        return
    files = contents.files
    report.files = sorted(files)
    report.findings += _layout(files)
    report.manifest = _document(report, files, MANIFEST, "manifest")
    report.system = _document(report, files, SYSTEM, "system")
    report.hyperparameters = _document(report, files, HYPERPARAMETERS, "hyperparameters")
    if report.manifest is None:
        return
    _describe(report, report.manifest)
    resolved, findings = resolve(report.manifest, catalogue)
    report.findings += findings
    flops, findings = per_sample_flops(report.manifest, resolved)
    report.findings += findings
    runs = _runs(files, _target(resolved, flops), report.hyperparameters or {}, limits)
    report.runs = [run.report for run in runs]
    report.findings += [f for run in runs for f in run.findings]
    accelerators = system_processes(report.system)
    report.findings += check_runs(
        runs, report.profile or FULL, resolved, report.hyperparameters or {}, accelerators
    )


def _layout(files: dict[str, bytes]) -> list[Finding]:
    findings = [
        error("bundle.missing_file", f"the bundle has no {name}; see docs/bundle-format.md", name)
        for name in (MANIFEST, SYSTEM)
        if name not in files
    ]
    if not any(_LOG.match(name) for name in files):
        findings.append(
            error("bundle.missing_file", "the bundle has no logs/*.log, one per training run", "logs/")
        )
    known = {MANIFEST, SYSTEM, HYPERPARAMETERS}
    for name in sorted(files):
        if name not in known and not _LOG.match(name) and not name.startswith("code/"):
            findings.append(
                warning(
                    "bundle.unexpected_file",
                    f"{name} is not part of the bundle format and is ignored (code belongs under code/, "
                    "run logs directly under logs/ as *.log)",
                    name,
                )
            )
    return findings


def _document(report: BundleReport, files: dict[str, bytes], name: str, schema: str) -> dict[str, Any] | None:
    if name not in files:
        return None
    document, findings = load_document(name, schema, files[name])
    report.findings += findings
    if document is not None and schema == "manifest":
        report.findings += [
            warning(
                "manifest.unknown_key",
                f"manifest.json: key {key!r} is not in the format and is ignored",
                name,
            )
            for key in sorted(set(document) - schema_properties("manifest"))
        ]
    return document


def _describe(report: BundleReport, manifest: dict[str, Any]) -> None:
    report.suite = manifest["suite"]
    report.benchmark = manifest["benchmark"]
    report.level = manifest["level"]
    report.availability = manifest["availability"]
    report.profile = manifest.get("profile", FULL)


def _target(resolved: Resolved, flops: float | None) -> Target:
    benchmark = resolved.benchmark
    if benchmark is None:
        return Target(quality=None)
    return Target(
        quality=benchmark.target_quality,
        higher_is_better=benchmark.higher_is_better,
        per_sample_flops=flops,
        reference_keys=frozenset(benchmark.reference_hyperparameters),
    )


def _natural(name: str) -> list[Any]:
    # run_2.log before run_10.log, as a person numbers them.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _runs(
    files: dict[str, bytes], target: Target, hyperparameters: dict[str, Any], limits: Limits
) -> list[RunFacts]:
    runs = []
    for name in sorted((n for n in files if _LOG.match(n)), key=_natural):
        log = parse_log(name, files[name], limits.max_log_lines)
        facts = derive_run(log, target, hyperparameters)
        facts.findings[:0] = log.findings
        runs.append(facts)
    return runs
