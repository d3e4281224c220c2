"""MLPerf's compliance checker (mlperf-logging's training rulesets) on the harness's logs.

Every log is checked against the newest installed ruleset's common rules: everything that
ruleset asks of a run except that its benchmark be one of that round's. A benchmark that
MLPerf has rules for (the catalogue's `mllog_benchmark`, such as resnet) is also checked in
full against the newest installed ruleset that still holds them. docs/runners.md says which.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlperf_logging.compliance_checker import mlp_compliance, mlp_parser
from mlperf_logging.mllog import constants as mlc

USAGE = "training"
CHECKER_DIR = Path(mlp_compliance.__file__).resolve().parent
DIVISIONS = ("open", "closed")
_RULESET_DIR = re.compile(rf"{USAGE}_(\d+)\.(\d+)\.(\d+)")
# Stands in for a round's rules of its own benchmarks where MLPerf has none for ours: the
# checker drops an earlier rule's complaints about a key that a later config names again.
_ANY_BENCHMARK_RULES = """
- KEY:
    NAME:  submission_benchmark
    REQ:   EXACTLY_ONE
    CHECK: " v['value'] != '' "
"""


@dataclass(frozen=True)
class Verdict:
    ruleset: str
    scope: str  # "common": every rule but the benchmark's name; "benchmark": the whole ruleset
    passed: bool
    messages: tuple[str, ...]


def installed_rulesets() -> list[str]:
    """The installed training rulesets' versions, oldest first."""
    found = [m for p in CHECKER_DIR.iterdir() if p.is_dir() and (m := _RULESET_DIR.fullmatch(p.name))]
    return [".".join(m.groups()) for m in sorted(found, key=lambda m: tuple(int(g) for g in m.groups()))]


def newest_ruleset() -> str:
    return installed_rulesets()[-1]


def benchmark_ruleset(benchmark: str) -> str | None:
    """The newest installed ruleset with rules for `benchmark` (an MLLOG name), if any."""
    having = [v for v in installed_rulesets() if (_rules_dir(v) / f"open_{benchmark}.yaml").is_file()]
    return having[-1] if having else None


def check_log(path: Path, *, division: str | None = None) -> list[Verdict]:
    """The log's verdicts: the newest ruleset's common rules, then its benchmark's own ruleset.

    `division` checks the log as if its submission_division said so (every other line as
    written): the open rules on a log of the closed division, for instance.
    """
    benchmark = _benchmark(path)
    verdicts = [_check(path, newest_ruleset(), division, benchmark_rules=False)]
    own = benchmark_ruleset(benchmark) if benchmark else None
    if own is not None:
        verdicts.append(_check(path, own, division, benchmark_rules=True))
    return verdicts


def _rules_dir(version: str) -> Path:
    return CHECKER_DIR / f"{USAGE}_{version}"


def _benchmark(path: Path) -> str | None:
    lines, _ = mlp_parser.parse_file(str(path), ruleset=newest_ruleset())
    names = [ll.value["value"] for ll in lines if ll.key == mlc.SUBMISSION_BENCHMARK]
    return str(names[0]) if names else None


def _check(path: Path, version: str, division: str | None, *, benchmark_rules: bool) -> Verdict:
    """The checker's own run (mlp_compliance.ComplianceChecker.check_file), config by config."""
    checker = mlp_compliance.make_checker(USAGE, version, False, False)
    lines, errors = mlp_parser.parse_file(str(path), ruleset=version)
    if errors:
        checker.put_message(
            "Log lines had parsing errors: " + "; ".join(f"{e}: {line}" for line, e in errors)
        )
    if division is not None:
        _relabel(lines, division)
    with tempfile.TemporaryDirectory(prefix="compliance-") as scratch:
        stand_in = Path(scratch) / "any_benchmark.yaml"
        stand_in.write_text(_ANY_BENCHMARK_RULES, encoding="utf-8")
        queue = mlp_compliance.enqueued_configs
        queue.clear()
        queue.append(f"{USAGE}_{version}/common.yaml")
        while queue:
            config = queue.pop(0)
            path_of = CHECKER_DIR / config
            if not benchmark_rules and _is_benchmark_rules(config, version):
                path_of = stand_in
            checker.configured_checks(lines, str(path_of))
    messages = (*checker.warnings.values(), *checker.overwritable.values(), *checker.not_overwritable)
    scope = "benchmark" if benchmark_rules else "common"
    return Verdict(version, scope, not checker.has_messages(), tuple(str(m) for m in messages))


def _is_benchmark_rules(config: str, version: str) -> bool:
    prefix = f"{USAGE}_{version}/"
    name = config.removeprefix(prefix)
    return (
        config.startswith(prefix)
        and name.startswith(tuple(f"{d}_" for d in DIVISIONS))
        and not (name.endswith("_common.yaml"))
    )


def _relabel(lines: list[Any], division: str) -> None:
    if division not in DIVISIONS:
        raise ValueError(f"division {division!r} is not one of {', '.join(DIVISIONS)}")
    for line in lines:
        if line.key == mlc.SUBMISSION_DIVISION:
            line.value["value"] = division
