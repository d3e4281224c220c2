"""``benchcouncil check BUNDLE`` and ``benchcouncil pack DIRECTORY OUTPUT``.

Exit status: 0 the bundle is valid, 1 it is not, 2 the command was misused or a file
could not be read or written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from .pack import PackError, pack_directory
from .report import BundleReport, Limits, RunReport
from .validate import validate_bundle

OK, INVALID, USAGE = 0, 1, 2


def main(argv: list[str] | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on bad usage; callers want a status instead
        return int(exit_.code or 0) and USAGE
    try:
        if args.command == "check":
            return _check(Path(args.bundle), args.json, out)
        return _pack(Path(args.directory), Path(args.output), out)
    except (OSError, PackError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchcouncil", description="Check and pack BenchCouncil result bundles."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a result bundle (.tar.gz or .zip)")
    check.add_argument("bundle")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    pack = commands.add_parser("pack", help="pack a bundle folder deterministically, then check it")
    pack.add_argument("directory")
    pack.add_argument("output")
    return parser


def _check(path: Path, as_json: bool, out: TextIO) -> int:
    limit = Limits().max_archive_bytes
    if path.stat().st_size > limit:  # refuse before reading anything
        out.write(
            f"{path.name}: INVALID  ({path.stat().st_size} bytes; bundles may be at most {limit} bytes)\n"
        )
        return INVALID
    with path.open("rb") as bundle:  # read as a stream, never whole
        report = validate_bundle(bundle, path.name)
    if as_json:
        json.dump(report.to_dict(), out, indent=2, sort_keys=True)
        out.write("\n")
    else:
        out.write(render(report, path.name))
    return OK if report.valid else INVALID


def _pack(directory: Path, output: Path, out: TextIO) -> int:
    output.write_bytes(pack_directory(directory))
    out.write(f"packed {directory} into {output}\n")
    return _check(output, False, out)


def render(report: BundleReport, name: str) -> str:
    """The report as a person reads it: verdict, what the bundle is, runs, then findings."""
    lines = [
        f"{name}: {'VALID' if report.valid else 'INVALID'}  (sha256 {report.sha256}, {report.size} bytes)"
    ]
    if report.suite:
        lines.append(
            f"  {report.suite}/{report.benchmark}, {report.level} level, {report.availability}, "
            f"profile {report.profile}, catalogue {report.catalogue_version}"
        )
    if report.runs:
        lines.append("  runs:")
        lines += [f"    {_run_line(run)}" for run in report.runs]
    if report.findings:
        lines.append("  findings:")
        lines += [f"    {f.severity.upper():7} {f.code}: {f.message}" for f in report.findings]
    return "\n".join(lines) + "\n"


def _run_line(run: RunReport) -> str:
    """A run's figures; one the log does not give is left out rather than shown as a blank."""
    parts = [f"seed {run.seed}" if run.seed is not None else "no seed", run.status]
    parts.append("converged" if run.converged else "NOT converged")
    if run.time_to_train_s is not None:
        parts.append(f"train {run.time_to_train_s:.1f} s")
    parts.append(
        f"to quality {run.time_to_quality_s:.1f} s"
        if run.time_to_quality_s is not None
        else "did not reach the target"
    )
    parts.append(
        f"quality {run.achieved_quality:.4f}" if run.achieved_quality is not None else "no quality logged"
    )
    parts += [f"{run.epochs_completed} epochs", f"{run.samples_processed} samples"]
    if run.total_flops is not None:
        parts.append(f"{run.total_flops:.4g} FLOPs")
    return f"{run.log_name}: " + ", ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
