"""Import one MLPerf Training round (a training_results_vX.Y checkout) as imported-unverified entries."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from ranking.management.importing import ImportCommand
from ranking.mlperf_import import mlperf_round_import
from ranking.mlperf_round import PUBLISHED_ON, ROUND_NAME, RoundReport, read_round, round_name_of
from submissions.imports import ImportProblems


class Command(ImportCommand):
    help = (
        "Read <submitter>/results/<system>/<benchmark>/result_*.txt and <submitter>/systems/<system>.json "
        "from a checkout of one MLPerf Training round into 'Imported, unverified' entries on the boards "
        "they fit (docs/importing.md). Results with error findings are listed and left out; importing "
        "the same round again creates nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("round_dir", type=Path, help="the checkout, e.g. training_results_v3.0")
        self.add_actor_argument(parser)
        parser.add_argument(
            "--round", dest="round_name", help="the round, e.g. v3.0 (default: from the folder name)"
        )
        parser.add_argument(
            "--published-on", type=date.fromisoformat, help="the round's publication date (YYYY-MM-DD)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check the round and store nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.staff_actor(options["username"])
        root: Path = options["round_dir"]
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder.")
        round_name = options["round_name"] or round_name_of(root)
        if round_name is None or not ROUND_NAME.fullmatch(round_name):
            raise CommandError(f"cannot tell the round from {root.name!r}; give --round vX.Y.")
        published_on = options["published_on"] or PUBLISHED_ON.get(round_name)
        if published_on is None:
            raise CommandError(f"no publication date known for {round_name}; give --published-on YYYY-MM-DD.")
        report = read_round(root, round_name=round_name)
        self._explain(report)
        try:
            result = mlperf_round_import(
                report.fits,
                round_name=round_name,
                published_on=published_on,
                actor=actor,
                dry_run=options["dry_run"],
            )
        except ImportProblems as exc:
            raise CommandError(f"{root}: nothing imported.\n{exc}") from None
        refused = [fit for fit in report.fits if fit.errors]
        self.write_result(
            result,
            dry_run=options["dry_run"],
            origin=f"{len(refused)} refused, from MLPerf Training {round_name}",
        )
        if refused or report.problems:
            raise CommandError(
                f"{len(refused)} result(s) refused and {len(report.problems)} unreadable; see above."
            )

    def _explain(self, report: RoundReport) -> None:
        for problem in report.problems:
            self.stderr.write(f"unreadable: {problem}")
        for line in report.left_out:
            self.stderr.write(f"left out: {line}")
        if report.unmatched:
            self.stderr.write(f"{len(report.unmatched)} result(s) of benchmarks no board ranks were not read")
        for fit in report.fits:
            board = f"{fit.result.path} -> {fit.benchmark.key}/{fit.level.slug}"
            for finding in fit.findings:
                if finding.severity != "info":
                    self.stderr.write(f"{finding.severity} {board}: {finding.code}: {finding.message}")
            if fit.errors:
                self.stderr.write(f"refused {board}: {len(fit.errors)} error(s)")
