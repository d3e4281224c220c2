"""Read and check one MLPerf Training round: a checkout of mlcommons/training_results_vX.Y.

A round lays out ``<submitter>/results/<system>/<benchmark>/result_*.txt`` (one log per
run) beside ``<submitter>/systems/<system>.json`` (the system description). Each result
directory becomes one entry per catalogue board it fits:

- the benchmark: every catalogue benchmark whose ``mllog_benchmark`` is the directory's
  name (``resnet`` fits both image-classification benchmarks); other MLPerf benchmarks fit
  no board and are counted, not read;
- the level: the closed division fixes the model and lets hyper-parameters change, as the
  system level does; the open division lets the model change, as the free level does. A
  free-level board that ranks by Valid FLOPS needs per-sample FLOPs for the changed model,
  which MLPerf does not state: such a board is left out, with the reason.

Runs are parsed and checked by the bundle validator's own functions, so an imported result
gets the findings an uploaded bundle of the same logs would. Nothing here writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from catalogue import Benchmark, Catalogue, Level, get_catalogue
from submissions.bundles.documents import load_document
from submissions.bundles.independence import duplicate_runs, missing_seeds, run_identity
from submissions.bundles.mllog import parse_log
from submissions.bundles.pack import pack_files
from submissions.bundles.report import Finding, Limits, RunReport
from submissions.bundles.rules import FULL, Resolved, check_runs
from submissions.bundles.runs import Target, derive_run

REPOSITORY = "https://github.com/mlcommons/training_results_{round}"
ROUND_NAME = re.compile(r"v\d+\.\d+")
# When each round's results were published (mlcommons.org announcements); --published-on
# overrides it for a round not listed here.
PUBLISHED_ON = {
    "v1.0": date(2021, 6, 30),
    "v1.1": date(2021, 12, 1),
    "v2.0": date(2022, 6, 29),
    "v2.1": date(2022, 11, 9),
    "v3.0": date(2023, 6, 27),
    "v3.1": date(2023, 11, 8),
    "v4.0": date(2024, 6, 12),
    "v4.1": date(2024, 11, 13),
}
DIVISION_LEVELS = {"closed": "system", "open": "free"}
# MLPerf's system "status" -> the catalogue's availability categories.
AVAILABILITY = {
    "available": "available",
    "onprem": "available",
    "cloud": "available",
    "preview": "preview",
    "research": "research",
    "rdi": "research",
}
MAX_LOG_BYTES = 64 * 1024 * 1024


@dataclass
class ResultDir:
    """One ``<submitter>/results/<system>/<benchmark>`` directory and its system description."""

    submitter: str
    system: str
    benchmark: str
    logs: dict[str, bytes]
    system_json: bytes
    description: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.submitter}/results/{self.system}/{self.benchmark}"

    def source_url(self, round_name: str) -> str:
        return f"{REPOSITORY.format(round=round_name)}/tree/main/{self.path}"

    def record(self) -> bytes:
        """The logs and the system file as one deterministic .tar.gz, paths as in the round."""
        files = {f"{self.path}/{name}": body for name, body in self.logs.items()}
        files[f"{self.submitter}/systems/{self.system}.json"] = self.system_json
        return pack_files(files)


@dataclass
class Fit:
    """A result checked for one board: its runs and findings (errors keep it out)."""

    result: ResultDir
    benchmark: Benchmark
    level: Level
    availability: str
    runs: list[RunReport]
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


@dataclass
class RoundReport:
    round_name: str
    fits: list[Fit] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # result paths no board fits
    left_out: list[str] = field(default_factory=list)  # (path, board): why not
    problems: list[str] = field(default_factory=list)  # directories that cannot be read


def round_name_of(root: Path) -> str | None:
    found = ROUND_NAME.search(root.resolve().name)
    return found.group(0) if found else None


def read_round(root: Path, *, round_name: str, catalogue: Catalogue | None = None) -> RoundReport:
    catalogue = catalogue or get_catalogue()
    report = RoundReport(round_name)
    for result in find_results(root):
        boards = [b for b in catalogue.all_benchmarks() if b.mllog_benchmark == result.benchmark]
        if not boards:
            report.unmatched.append(result.path)
            continue
        if result.problems:
            report.problems += [f"{result.path}: {p}" for p in result.problems]
            continue
        for benchmark in boards:
            fit = _fit(result, benchmark, catalogue, report)
            if fit is not None:
                report.fits.append(fit)
    return report


def find_results(root: Path) -> list[ResultDir]:
    results = []
    for bench_dir in sorted(root.glob("*/results/*/*")):
        if not bench_dir.is_dir() or bench_dir.is_symlink():
            continue
        logs = sorted(p for p in bench_dir.glob("result_*.txt") if p.is_file() and not p.is_symlink())
        if not logs:
            continue
        submitter, system = bench_dir.parts[-4], bench_dir.parts[-2]
        result = ResultDir(submitter, system, bench_dir.name, {}, b"")
        for log in logs:
            if log.stat().st_size > MAX_LOG_BYTES:
                result.problems.append(f"{log.name} is larger than {MAX_LOG_BYTES // 2**20} MiB")
            else:
                result.logs[log.name] = log.read_bytes()
        _read_system(result, root / submitter / "systems" / f"{system}.json")
        results.append(result)
    return results


def _read_system(result: ResultDir, path: Path) -> None:
    if not path.is_file() or path.is_symlink():
        result.problems.append(f"no system description {result.submitter}/systems/{path.name}")
        return
    result.system_json = path.read_bytes()
    document, findings = load_document(path.name, "system", result.system_json)
    result.problems += [f.message for f in findings]
    result.description = document


def _fit(result: ResultDir, benchmark: Benchmark, catalogue: Catalogue, report: RoundReport) -> Fit | None:
    description = result.description or {}
    board = f"{benchmark.key}"
    division = str(description.get("division", "")).lower()
    level = catalogue.levels.get(DIVISION_LEVELS.get(division, ""))
    if level is None or level.slug not in catalogue.suites[benchmark.suite].levels:
        report.left_out.append(
            f"{result.path} -> {board}: division {division!r} maps to no level of the suite"
        )
        return None
    flops: float | None = benchmark.per_sample_training_flops
    if level.model_may_change:
        if benchmark.ranking_metric == "valid_flops":
            report.left_out.append(
                f"{result.path} -> {board}/{level.slug}: the {division} division may change the model, and "
                "MLPerf states no per-sample FLOPs for it, which Valid FLOPS needs"
            )
            return None
        flops = None
    availability = AVAILABILITY.get(str(description.get("status", "")).lower())
    if availability is None:
        report.left_out.append(f"{result.path} -> {board}: status {description.get('status')!r} is not known")
        return None
    runs, findings = check_result(result, benchmark, level, flops, catalogue)
    return Fit(result, benchmark, level, availability, runs, findings)


def check_result(
    result: ResultDir, benchmark: Benchmark, level: Level, flops: float | None, catalogue: Catalogue
) -> tuple[list[RunReport], list[Finding]]:
    """Each run as the bundle validator derives it, then the level's rules over all of them."""
    target = Target(
        quality=benchmark.target_quality,
        higher_is_better=benchmark.higher_is_better,
        per_sample_flops=flops,
        reference_keys=frozenset(benchmark.reference_hyperparameters),
        mlperf_names=catalogue.mlperf_hyperparameter_names,
    )
    runs, identities, findings = [], [], []
    suite = catalogue.suites[benchmark.suite]
    for name in sorted(result.logs, key=_natural):
        log = parse_log(name, result.logs[name], Limits().max_log_lines)
        facts = derive_run(log, target, {})
        findings += log.findings + facts.findings
        runs.append(facts)
        identities.append(run_identity(name, log, facts.report))
    findings += missing_seeds(identities, level)
    findings += duplicate_runs(identities)
    findings += check_runs(runs, FULL, Resolved(suite, benchmark, level), {})
    return [run.report for run in runs], findings


def _natural(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
