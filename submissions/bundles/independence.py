"""Are a result's runs independent? Seeds, and runs that are copies of one another.

A result is the aggregate of several runs, and its spread says how stable it is; five copies
of one run would show a perfect spread. So runs must state distinct seeds (rules.py), and
runs whose events are identical apart from the seed, or whose quality curves and times are
identical, are one run submitted several times: an error, whatever their seeds say.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from catalogue import Level

from .log_summary import LogSummary
from .report import Finding, RunReport, error, warning


@dataclass(frozen=True)
class RunIdentity:
    """What two runs are compared on: their events apart from the seed, and their outcome."""

    name: str
    seed_logged: bool
    events: str  # sha256 of the events' lines, seed events left out
    outcome: Hashable | None  # (time to train, curve), or None where the run logged no curve


def run_identity(name: str, log: LogSummary, report: RunReport) -> RunIdentity:
    """What ``log`` is compared on: the digest of its events apart from the seed, and its outcome."""
    outcome = None
    if report.curve and report.time_to_train_s is not None:
        points = tuple((p["epoch"], p["time_s"], p["quality"]) for p in report.curve)
        outcome = (report.time_to_train_s, points)
    return RunIdentity(name, log.seed_logged, log.digest.hexdigest(), outcome)


def duplicate_groups(items: Iterable[tuple[str, Hashable]]) -> list[list[str]]:
    """Names sharing one key, in first-seen order; each group has at least two names."""
    groups: dict[Hashable, list[str]] = {}
    for name, key in items:
        groups.setdefault(key, []).append(name)
    return [names for names in groups.values() if len(names) > 1]


def duplicate_runs(runs: Sequence[RunIdentity]) -> list[Finding]:
    findings = []
    same_events = duplicate_groups((r.name, r.events) for r in runs)
    for names in same_events:
        findings.append(
            error(
                "rules.duplicate_run",
                f"{', '.join(names)} hold the same events apart from the seed: one run submitted "
                f"{len(names)} times is one run",
                names[1],
            )
        )
    already = {name for names in same_events for name in names}
    outcomes = ((r.name, r.outcome) for r in runs if r.outcome is not None and r.name not in already)
    for names in duplicate_groups(outcomes):
        findings.append(
            error(
                "rules.duplicate_run",
                f"{', '.join(names)} have the same quality curve and the same time to train: "
                "independent runs never agree to the millisecond",
                names[1],
            )
        )
    return findings


def missing_seeds(runs: Sequence[RunIdentity], level: Level | None) -> list[Finding]:
    """A finding per run log that never states a seed; the level says whether it blocks."""
    findings = []
    for run in runs:
        if run.seed_logged:
            continue
        if level is None or level.missing_seed == "error":
            findings.append(error("rules.missing_seed", _blocking(run.name, level), run.name))
        else:
            findings.append(warning("rules.missing_seed", _accepted(run.name, level), run.name))
    return findings


def _blocking(name: str, level: Level | None) -> str:
    where = f"the {level.slug} level" if level is not None else "an unknown level"
    return (
        f"{name} never logs 'seed'; {where} requires one, because distinct seeds are how runs "
        'show they are independent (catalogue setting missing_seed = "error")'
    )


def _accepted(name: str, level: Level) -> str:
    return (
        f"{name} never logs 'seed', so nothing shows this run is independent of the others but "
        f"the duplicate-run checks; the {level.slug} level accepts it (catalogue setting "
        'missing_seed = "warning"), as some MLPerf submitters\' logs state no seed'
    )
