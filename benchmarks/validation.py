"""Bundle validation against a bare streaming ``json.loads`` pass over the same lines.

    .venv/bin/python benchmarks/validation.py                 # the large bundle, 3 rounds
    .venv/bin/python benchmarks/validation.py --rounds 1 --limits   # also the bundles at the limits
    .venv/bin/python benchmarks/validation.py --hostile      # the hostile corpus of tests/security

Bundles are built once under benchmarks/results/ (see validation_bundles.py). Each round runs
``benchcouncil check --json`` on the bundle and the bare pass, alternately and in child
processes, and reads each child's peak RSS from the kernel (``wait4``). The bare pass is what
any reader of these logs must pay: gunzip, untar and ``json.loads`` on every MLLOG line.

Targets (the last lines say met/MISSED):
- the large bundle (5 runs x 200,000 MLLOG lines): validation within 2x of the bare pass
  (median of the rounds' ratios), peak RSS at most 150 MB;
- every bundle at the limits (huge single lines, 2,000 members, the whole uncompressed
  budget): peak RSS under 256 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from validation_bundles import cached  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
TOKEN = b":::MLLOG"
MB = 1_000_000
RATIO_TARGET, LARGE_RSS_MB, LIMITS_RSS_MB = 2.0, 150, 256


def bare_pass(path: Path) -> int:
    """Stream every log line of the bundle through json.loads; returns the events read."""
    events = 0
    with tarfile.open(path, mode="r|gz") as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isreg() else None
            if handle is None or not member.name.endswith(".log"):
                continue
            for line in handle:
                start = line.find(TOKEN)
                if start >= 0:
                    json.loads(line[start + len(TOKEN) :])
                    events += 1
    return events


def _child(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of one child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    return elapsed, usage.ru_maxrss * 1024 / MB, os.waitstatus_to_exitcode(status)


def validate_command(path: Path) -> list[str]:
    return [sys.executable, "-m", "submissions.bundles", "check", "--json", str(path)]


def bare_command(path: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--bare", str(path)]


def large_rounds(path: Path, rounds: int) -> bool:
    print(f"{path.name}: {path.stat().st_size / MB:.1f} MB")
    ratios, peaks = [], []
    for number in range(1, rounds + 1):
        # Which goes first alternates, so that a change in the machine's load hits both.
        pair = [("validate", validate_command(path)), ("bare", bare_command(path))]
        if number % 2 == 0:
            pair.reverse()
        figures = {}
        for label, command in pair:
            seconds, peak, code = _child(command)
            figures[label] = (seconds, peak)
            print(f"  round {number} {label:8} {seconds:6.2f} s  peak RSS {peak:6.1f} MB  exit {code}")
        ratios.append(figures["validate"][0] / figures["bare"][0])
        peaks.append(figures["validate"][1])
        print(f"  round {number} ratio    {ratios[-1]:.2f}x  (load {os.getloadavg()[0]:.2f})")
    ratio, peak = statistics.median(ratios), max(peaks)
    print(f"  ratio median {ratio:.2f}x (range {min(ratios):.2f}-{max(ratios):.2f}), peak RSS {peak:.1f} MB")
    speed = ratio <= RATIO_TARGET
    memory = peak <= LARGE_RSS_MB
    print(f"target validation <= {RATIO_TARGET:g}x bare pass: {'met' if speed else 'MISSED'} ({ratio:.2f}x)")
    print(f"target peak RSS <= {LARGE_RSS_MB} MB: {'met' if memory else 'MISSED'} ({peak:.1f} MB)")
    return speed and memory


def limits_cases() -> bool:
    met = True
    for name in ("huge-lines", "2000-members", "full-budget"):
        path = cached(RESULTS, name)
        seconds, peak, code = _child(validate_command(path))
        verdict = _verdict(path)
        ok = peak < LIMITS_RSS_MB
        met = met and ok
        print(
            f"{name:13} {path.stat().st_size / MB:6.1f} MB archive  {seconds:6.2f} s  "
            f"peak RSS {peak:6.1f} MB  exit {code}  {verdict}  {'met' if ok else 'MISSED'}"
        )
    print(f"target peak RSS < {LIMITS_RSS_MB} MB at the limits: {'met' if met else 'MISSED'}")
    return met


def _verdict(path: Path) -> str:
    """The findings' codes, counted, from one more (unmeasured) check."""
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        validate_command(path), capture_output=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    report = json.loads(out.stdout)
    codes: dict[str, int] = {}
    for finding in report["findings"]:
        codes[finding["code"]] = codes.get(finding["code"], 0) + 1
    shown = ", ".join(f"{code} x{count}" for code, count in sorted(codes.items())) or "no findings"
    return f"{'valid' if report['valid'] else 'invalid'}, {len(report['runs'])} runs ({shown})"


def hostile_corpus() -> None:
    """Each archive of tests/security's corpus: its finding, traced peak and time, as a table row."""
    sys.path.insert(0, str(ROOT / "tests" / "security"))
    import hostile_archives as corpus

    from submissions.bundles import validate_bundle

    folder = corpus.temp_dir()
    cases = corpus.in_memory_corpus()
    on_disk = {
        "10 GiB bomb, tar.gz (40 x 250 MiB)": (corpus.bomb_tar_gz, "bomb.tar.gz", "archive.bomb_ratio"),
        "10 GiB bomb, zip (50 x 200 MiB)": (corpus.bomb_zip, "bomb.zip", "archive.bomb_ratio"),
        "4 logs of one 100 MiB MLLOG line": (corpus.long_line_tar_gz, "long.tar.gz", "log.line_too_long"),
    }
    print("| archive | bytes | finding | peak MiB | ms |")
    print("|---|---:|---|---:|---:|")
    for name, (build, file, code) in {**cases, **on_disk}.items():
        path = build(folder / file) if name in on_disk else None
        data = path.read_bytes() if path is not None else build()
        tracemalloc.start()
        started = time.monotonic()
        report = validate_bundle(data, file)
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        found = code if code in {f.code for f in report.errors} else f"MISSING {code}"
        print(f"| {name} | {len(data):,} | `{found}` | {peak / 2**20:.2f} | {elapsed * 1000:.0f} |")
        if path is not None:
            path.unlink()
    folder.rmdir()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limits", action="store_true", help="also measure the bundles at the limits")
    parser.add_argument("--hostile", action="store_true", help="only the hostile corpus, as a table")
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare is not None:
        bare_pass(args.bare)
        return 0
    if args.hostile:
        hostile_corpus()
        return 0
    met = large_rounds(cached(RESULTS, "large"), args.rounds)
    if args.limits:
        met = limits_cases() and met
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
