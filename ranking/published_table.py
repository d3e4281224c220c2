"""A published results table, read and checked: its entries, or every problem found.

Earlier rankings (a past HPC AI500 list, a paper's table) have no bundle and no MLLOG files,
only the figures the table printed: one row per run (the format is in docs/importing.md).
`read_table` is pure: it checks every row against the catalogue and returns the entries, or
raises ImportProblems listing every problem with its line and column. Storing them is
ranking.imports' part.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from catalogue.models import Benchmark, Level
from submissions.bundles.independence import duplicate_groups
from submissions.imports import ImportProblems
from submissions.models import Availability

__all__ = ["Entry", "ImportProblems", "ImportedRun", "read_table"]

# Columns every row carries. Entry columns must agree across the rows of one entry.
ENTRY_COLUMNS = (
    "entry",
    "suite",
    "benchmark",
    "level",
    "organization",
    "system_name",
    "accelerator_model_name",
    "accelerators_per_node",
    "number_of_nodes",
    "framework",
    "availability",
    "published_on",
)
RUN_COLUMNS = ("time_to_train_s", "achieved_quality", "samples_processed", "converged")
REQUIRED_COLUMNS = ENTRY_COLUMNS + RUN_COLUMNS
# Optional entry columns: system description fields a table may print, and the per-sample
# FLOPs a changed model needs (free level, Valid FLOPS).
OPTIONAL_ENTRY_COLUMNS = (
    "host_processor_model_name",
    "accelerator_memory_capacity",
    "accelerator_interconnect",
    "interconnect",
    "per_sample_training_flops",
)
OPTIONAL_RUN_COLUMNS = ("seed", "time_to_quality_s")
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS + OPTIONAL_ENTRY_COLUMNS + OPTIONAL_RUN_COLUMNS)

MAX_ROWS = 100_000
T = TypeVar("T")
TRUE = frozenset({"true", "yes", "1"})
FALSE = frozenset({"false", "no", "0"})


@dataclass
class ImportedRun:
    line: int
    time_to_train_s: float
    achieved_quality: float
    samples_processed: int
    converged: bool
    seed: int | None = None
    time_to_quality_s: float | None = None


@dataclass
class Entry:
    """One published result: its system, its benchmark and level, and its runs."""

    key: str
    benchmark: Benchmark
    level: Level
    fields: dict[str, str]
    published_on: date
    per_sample_training_flops: float | None
    header: list[str]  # the table's columns, in its order
    runs: list[ImportedRun] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # the entry's own rows, as read

    def record(self) -> bytes:
        """The entry's rows under the table's header, as CSV: its stored, downloadable record."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue().encode()

    @property
    def idempotency_key(self) -> str:
        return "import:" + hashlib.sha256(self.key.encode()).hexdigest()

    def system_description(self) -> dict[str, Any]:
        system: dict[str, Any] = {
            name: self.fields[name]
            for name in (
                "system_name",
                "accelerator_model_name",
                "framework",
                "host_processor_model_name",
                "accelerator_memory_capacity",
                "accelerator_interconnect",
                "interconnect",
            )
            if self.fields.get(name)
        }
        system["number_of_nodes"] = int(self.fields["number_of_nodes"])
        system["accelerators_per_node"] = int(self.fields["accelerators_per_node"])
        return system


def read_table(data: bytes, *, source: str, today: date) -> tuple[list[Entry], list[str]]:
    """Parse and check a table; return (entries, warnings) or raise ImportProblems."""
    problems: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblems([f"the file is not UTF-8 (byte {exc.start} cannot be decoded)"]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise ImportProblems([f"line 1: {exc}"]) from None
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in KNOWN_COLUMNS]
    if missing:
        problems.append("line 1: missing column(s) " + ", ".join(missing))
    if unknown:
        problems.append(
            "line 1: unknown column(s) " + ", ".join(repr(n) for n in unknown) + " (see docs/importing.md)"
        )
    if len(set(header)) != len(header):
        problems.append("line 1: a column is named twice")
    if problems:
        raise ImportProblems(problems)

    benchmarks = {(b.suite.slug, b.slug): b for b in Benchmark.objects.select_related("suite")}
    levels = {level.slug: level for level in Level.objects.prefetch_related("suites")}
    entries: dict[str, Entry] = {}
    count = 0
    try:
        for row in reader:
            count += 1
            if count > MAX_ROWS:
                problems.append(f"more than {MAX_ROWS} rows; split the table")
                break
            line = reader.line_num
            if None in row or any(value is None for value in row.values()):
                problems.append(f"line {line}: {len(header)} values expected")
                continue
            values = {name: (row[name] or "").strip() for name in header}
            entry = _entry_for(values, line, entries, benchmarks, levels, source, today, problems)
            run = _run(values, line, problems)
            if entry is not None and run is not None:
                entry.runs.append(run)
                entry.rows.append([row[name] or "" for name in header])
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: {exc}")
    if count == 0 and not problems:
        problems.append("the table has no rows")

    warnings: list[str] = []
    for entry in entries.values():
        _check_entry(entry, problems, warnings)
    if problems:
        raise ImportProblems(problems)
    return list(entries.values()), warnings


def _entry_for(
    values: Mapping[str, str],
    line: int,
    entries: dict[str, Entry],
    benchmarks: Mapping[tuple[str, str], Benchmark],
    levels: Mapping[str, Level],
    source: str,
    today: date,
    problems: list[str],
) -> Entry | None:
    name = values["entry"]
    if not name:
        problems.append(f"line {line}: entry: empty; every row names the result it belongs to")
        return None
    existing = entries.get(name)
    if existing is not None:
        for column in ENTRY_COLUMNS + OPTIONAL_ENTRY_COLUMNS:
            if values.get(column, "") != existing.fields.get(column, ""):
                problems.append(
                    f"line {line}: {column}: {values.get(column, '')!r} differs from the entry's "
                    f"first row ({existing.fields.get(column, '')!r}); an entry is one system"
                )
                return None
        return existing

    before = len(problems)
    benchmark = benchmarks.get((values["suite"], values["benchmark"]))
    if benchmark is None:
        known = ", ".join(sorted(f"{s}/{b}" for s, b in benchmarks))
        problems.append(
            f"line {line}: suite/benchmark: {values['suite']}/{values['benchmark']} is not in the "
            f"catalogue (known: {known})"
        )
    level = levels.get(values["level"])
    if level is None:
        problems.append(
            f"line {line}: level: {values['level']!r} is not a level (known: {', '.join(sorted(levels))})"
        )
    elif benchmark is not None and benchmark.suite not in level.suites.all():
        problems.append(f"line {line}: level: {benchmark.suite.slug} has no {level.slug} level")
    for column in ("organization", "system_name", "accelerator_model_name", "framework"):
        if not values[column]:
            problems.append(f"line {line}: {column}: empty")
        elif len(values[column]) > 200:
            problems.append(f"line {line}: {column}: longer than 200 characters")
    for column in ("accelerators_per_node", "number_of_nodes"):
        _integer(values, column, line, problems, minimum=0 if column.startswith("acc") else 1)
    if values["availability"] not in Availability.values:
        problems.append(
            f"line {line}: availability: {values['availability']!r} is not one of "
            + ", ".join(Availability.values)
        )
    published_on = None
    try:
        published_on = date.fromisoformat(values["published_on"])
    except ValueError:
        problems.append(f"line {line}: published_on: {values['published_on']!r} is not a date (YYYY-MM-DD)")
    if published_on is not None and published_on > today:
        problems.append(f"line {line}: published_on: {published_on} is in the future")
    flops = _positive(values, "per_sample_training_flops", line, problems, optional=True)
    if len(problems) > before:
        return None
    assert benchmark is not None and level is not None and published_on is not None
    if level.model_may_change and benchmark.ranking_metric == "valid_flops" and flops is None:
        problems.append(
            f"line {line}: per_sample_training_flops: required at the {level.slug} level, where "
            "the model may differ from the reference"
        )
        return None
    if not level.model_may_change and flops is not None and flops != benchmark.per_sample_training_flops:
        problems.append(
            f"line {line}: per_sample_training_flops: the {level.slug} level runs the reference "
            f"model ({benchmark.per_sample_training_flops:g}); leave the column empty"
        )
        return None
    entry = Entry(
        key=f"{source}\n{name}",
        benchmark=benchmark,
        level=level,
        fields={column: values.get(column, "") for column in ENTRY_COLUMNS + OPTIONAL_ENTRY_COLUMNS},
        published_on=published_on,
        per_sample_training_flops=flops,
        header=list(values),  # the row's columns, in the table's order
    )
    entries[name] = entry
    return entry


def _run(values: Mapping[str, str], line: int, problems: list[str]) -> ImportedRun | None:
    before = len(problems)
    time_s = _positive(values, "time_to_train_s", line, problems)
    quality = _number(values, "achieved_quality", line, problems)
    if quality is not None and quality < 0:
        problems.append(f"line {line}: achieved_quality: negative")
    samples = _integer(values, "samples_processed", line, problems, minimum=1)
    converged_text = values["converged"].lower()
    if converged_text not in TRUE | FALSE:
        problems.append(f"line {line}: converged: {values['converged']!r} is not true or false")
    seed = _integer(values, "seed", line, problems, minimum=0, optional=True)
    ttq = _positive(values, "time_to_quality_s", line, problems, optional=True)
    if len(problems) > before:
        return None
    assert time_s is not None and quality is not None and samples is not None
    if ttq is not None and ttq > time_s:
        problems.append(f"line {line}: time_to_quality_s: {ttq:g} is after the run ended ({time_s:g})")
        return None
    return ImportedRun(
        line=line,
        time_to_train_s=time_s,
        achieved_quality=quality,
        samples_processed=samples,
        converged=converged_text in TRUE,
        seed=seed,
        time_to_quality_s=ttq,
    )


def _check_entry(entry: Entry, problems: list[str], warnings: list[str]) -> None:
    first = entry.runs[0].line if entry.runs else 0
    name = entry.fields["entry"]
    benchmark = entry.benchmark
    for run in entry.runs:
        reached = (
            run.achieved_quality >= benchmark.target_quality
            if benchmark.higher_is_better
            else run.achieved_quality <= benchmark.target_quality
        )
        if run.converged and not reached:
            problems.append(
                f"line {run.line}: converged: true, but achieved_quality {run.achieved_quality:g} "
                f"misses the target {benchmark.target_quality:g}"
            )
        if benchmark.ranking_metric == "time_to_quality" and run.converged and run.time_to_quality_s is None:
            problems.append(
                f"line {run.line}: time_to_quality_s: required for a converged run of "
                f"{benchmark.suite.slug}/{benchmark.slug}, which ranks by time-to-quality"
            )
    seeds = [run.seed for run in entry.runs if run.seed is not None]
    if len(seeds) != len(set(seeds)):
        problems.append(f"line {first}: seed: entry {name!r} repeats a seed; runs need distinct seeds")
    for lines in duplicate_groups((str(run.line), _outcome(run)) for run in entry.runs):
        problems.append(
            f"line {lines[1]}: entry {name!r}: lines {', '.join(lines)} report the same time, quality and "
            "samples; one run repeated is one run (list each run the source reports once)"
        )
    if len(entry.runs) < benchmark.required_runs:
        warnings.append(
            f"entry {name!r}: {len(entry.runs)} run(s) reported, {benchmark.required_runs} required; "
            "it is ranked with the runs reported and its spread is shown as unknown"
        )


def _outcome(run: ImportedRun) -> tuple[float, float, int, float | None]:
    return (run.time_to_train_s, run.achieved_quality, run.samples_processed, run.time_to_quality_s)


# Each reader reads one column of a row and records a problem where its text is not a value.
# An optional column left empty (or absent from the table) reads as None.


def _parsed(
    values: Mapping[str, str],
    column: str,
    line: int,
    problems: list[str],
    *,
    parse: Callable[[str], T],
    kind: str,
    optional: bool,
) -> T | None:
    text = values.get(column, "")
    if optional and not text:
        return None
    try:
        return parse(text)
    except ValueError:
        problems.append(f"line {line}: {column}: {text!r} is not {kind}")
        return None


def _number(
    values: Mapping[str, str], column: str, line: int, problems: list[str], *, optional: bool = False
) -> float | None:
    value = _parsed(values, column, line, problems, parse=float, kind="a number", optional=optional)
    if value is not None and not math.isfinite(value):
        problems.append(f"line {line}: {column}: {values[column]!r} is not a finite number")
        return None
    return value


def _positive(
    values: Mapping[str, str], column: str, line: int, problems: list[str], *, optional: bool = False
) -> float | None:
    value = _number(values, column, line, problems, optional=optional)
    if value is not None and value <= 0:
        problems.append(f"line {line}: {column}: must be above 0")
        return None
    return value


def _integer(
    values: Mapping[str, str],
    column: str,
    line: int,
    problems: list[str],
    *,
    minimum: int,
    optional: bool = False,
) -> int | None:
    value = _parsed(values, column, line, problems, parse=int, kind="a whole number", optional=optional)
    if value is not None and (value < minimum or value > 2**53):
        problems.append(f"line {line}: {column}: {value} is out of range")
        return None
    return value
