"""validate_bundle: a bundle in (bytes or a file), a BundleReport out, and never an exception.

The archive is read twice, as a stream each time: once for its names and JSON documents
(which tell what the logs are measured against), once for its logs, each parsed as it is
read into the small summary the rules need. Memory then depends on neither the logs'
length nor their number.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from catalogue import Catalogue, get_catalogue
from catalogue.scaling import system_processes

from .archive import ArchiveContents, read_archive, read_members
from .curve import MAX_CURVE_POINTS
from .documents import load_document, schema_properties
from .findings import PER_CODE, FindingSink
from .independence import RunIdentity, duplicate_runs, missing_seeds, run_identity
from .layout import HYPERPARAMETERS, MANIFEST, SYSTEM, layout_findings
from .layout import LOG as _LOG
from .log_summary import ValueBudget
from .mllog import parse_log
from .report import BundleReport, Limits, error, warning
from .rules import FULL, Resolved, check_runs, per_sample_flops, resolve
from .runs import RunFacts, Target, derive_run, is_hyperparameter
from .spelling import did_you_mean

DOCUMENTS = frozenset({MANIFEST, SYSTEM, HYPERPARAMETERS})
# The curves of all runs together: a bundle of many runs keeps fewer points of each.
MAX_BUNDLE_CURVE_POINTS = 20_000
MIN_CURVE_POINTS = 10
# What the run-wide values and hyper-parameters of all logs may hold, in bytes of their text.
MAX_VALUE_BYTES = 2 * 1024 * 1024
_HASH_CHUNK = 1024 * 1024


@dataclass
class _Bundle:
    """One validation's inputs and the findings it has so far."""

    source: bytes | IO[bytes]
    filename: str
    catalogue: Catalogue
    limits: Limits
    sink: FindingSink


def validate_bundle(
    data: bytes | IO[bytes],
    filename: str,
    *,
    catalogue: Catalogue | None = None,
    limits: Limits | None = None,
) -> BundleReport:
    """Validate ``data``: the archive's bytes, or a seekable binary file holding them."""
    report = BundleReport(*_digest(data))
    bundle = _Bundle(data, filename, catalogue or get_catalogue(), limits or Limits(), FindingSink())
    try:
        _validate(report, bundle)
        report.findings = bundle.sink.findings(per_code=PER_CODE)
    except Exception as exc:  # noqa: BLE001 - the contract is findings, never a crash, on any input
        report.findings = bundle.sink.findings(per_code=PER_CODE)
        report.findings.append(
            error(
                "validator.internal_error",
                f"the validator failed ({type(exc).__name__}: {exc}); please report it",
            )
        )
    return report


def _digest(data: bytes | IO[bytes]) -> tuple[str, int]:
    if isinstance(data, bytes | bytearray | memoryview):
        return hashlib.sha256(data).hexdigest(), len(data)
    data.seek(0)
    digest = hashlib.sha256()
    while chunk := data.read(_HASH_CHUNK):
        digest.update(chunk)
    size = data.tell()
    data.seek(0)
    return digest.hexdigest(), size


def _keep(name: str) -> bool:
    """Whether a member may be one of the bundle's JSON documents, at the root or in a folder."""
    parts = name.split("/")
    return len(parts) <= 2 and parts[-1] in DOCUMENTS


def _validate(report: BundleReport, bundle: _Bundle) -> None:
    report.catalogue_version = bundle.catalogue.version
    sink = bundle.sink
    contents = read_archive(bundle.source, bundle.filename, bundle.limits, keep=_keep)
    sink.extend(contents.findings)
    if sink.has_errors:
        return
    report.files = sorted(contents.names)
    sink.extend(layout_findings(contents.names))
    report.manifest = _document(sink, contents, MANIFEST, "manifest", bundle.limits)
    report.system = _document(sink, contents, SYSTEM, "system", bundle.limits)
    report.hyperparameters = _document(sink, contents, HYPERPARAMETERS, "hyperparameters", bundle.limits)
    if report.manifest is None:
        return
    _describe(report, report.manifest)
    resolved, findings = resolve(report.manifest, bundle.catalogue)
    sink.extend(findings)
    flops, findings = per_sample_flops(report.manifest, resolved)
    sink.extend(findings)
    target = _target(resolved, flops, bundle.catalogue)
    runs, identities = _runs(bundle, contents, target, report.hyperparameters or {})
    report.runs = [run.report for run in runs]
    sink.extend(missing_seeds(identities, resolved.level))
    sink.extend(duplicate_runs(identities))
    accelerators = system_processes(report.system)
    sink.extend(
        check_runs(runs, report.profile or FULL, resolved, report.hyperparameters or {}, accelerators)
    )


def _document(
    sink: FindingSink, contents: ArchiveContents, name: str, schema: str, limits: Limits
) -> dict[str, Any] | None:
    if name in contents.oversized:
        message = (
            f"{name} is {contents.oversized[name]} bytes; a bundle's JSON files may be at most "
            f"{limits.max_document_bytes} bytes"
        )
        sink.add(error("json.too_large", message, name))
        return None
    if name not in contents.documents:
        return None
    document, findings = load_document(name, schema, contents.documents[name])
    sink.extend(findings)
    if document is not None and schema == "manifest":
        sink.extend(
            [
                warning(
                    "manifest.unknown_key",
                    f"manifest.json: key {key!r} is not in the format and is ignored"
                    f"{did_you_mean(key, schema_properties('manifest'))}",
                    name,
                )
                for key in sorted(set(document) - schema_properties("manifest"))
            ]
        )
    return document


def _describe(report: BundleReport, manifest: dict[str, Any]) -> None:
    report.suite = manifest["suite"]
    report.benchmark = manifest["benchmark"]
    report.level = manifest["level"]
    report.availability = manifest["availability"]
    report.profile = manifest.get("profile", FULL)


def _target(resolved: Resolved, flops: float | None, catalogue: Catalogue) -> Target:
    benchmark = resolved.benchmark
    names = catalogue.mlperf_hyperparameter_names
    if benchmark is None:
        return Target(quality=None, mlperf_names=names)
    return Target(
        quality=benchmark.target_quality,
        higher_is_better=benchmark.higher_is_better,
        per_sample_flops=flops,
        reference_keys=frozenset(benchmark.reference_hyperparameters),
        mlperf_names=names,
    )


def _natural(name: str) -> list[Any]:
    # run_2.log before run_10.log, as a person numbers them.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _runs(
    bundle: _Bundle, contents: ArchiveContents, target: Target, hyperparameters: dict[str, Any]
) -> tuple[list[RunFacts], list[RunIdentity]]:
    logs = {raw: name for name, raw in contents.names.items() if _LOG.match(name)}
    if not logs:
        return [], []
    limits = bundle.limits
    points = max(MIN_CURVE_POINTS, min(MAX_CURVE_POINTS, MAX_BUNDLE_CURVE_POINTS // len(logs)))
    budget = ValueBudget(MAX_VALUE_BYTES)

    done: dict[str, tuple[FindingSink, RunFacts, RunIdentity]] = {}
    for raw, chunks in read_members(bundle.source, contents.kind, limits):
        name = logs.get(raw)
        if name is not None:
            done[name] = _run(name, chunks, target, hyperparameters, (limits, budget, points))
    runs, identities = [], []
    for name in sorted(done, key=_natural):
        read, facts, identity = done[name]
        bundle.sink.absorb(read)
        bundle.sink.absorb(facts.sink)
        runs.append(facts)
        identities.append(identity)
    return runs, identities


def _run(
    name: str,
    chunks: Iterator[bytes],
    target: Target,
    hyperparameters: dict[str, Any],
    bounds: tuple[Limits, ValueBudget, int],
) -> tuple[FindingSink, RunFacts, RunIdentity]:
    """One log, read into its summary and derived; the summary is dropped on return."""
    limits, budget, points = bounds
    digest = hashlib.sha256()
    log = parse_log(
        name,
        _hashed(chunks, digest),
        limits.max_log_lines,
        keep=lambda key: is_hyperparameter(key, target.reference_keys),
        keep_events=False,
        max_line_bytes=limits.max_line_bytes,
        budget=budget,
    )
    facts = derive_run(log, target, hyperparameters, curve_points=points)
    # The log's bytes, so a reviewer sees a run log that another submission sent already.
    facts.report.log_sha256 = digest.hexdigest()
    return log.sink, facts, run_identity(name, log, facts.report)


def _hashed(chunks: Iterator[bytes], digest: Any) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
