"""Reads across boards: a system's results everywhere, the systems x benchmarks table, a
comparison of a few results, and CPU core counts for systems without accelerators.

A system is an organization and a system name as the published results state them; its page's
address is their slugs. Only current rows of published results are read (LeaderboardEntry rows
with no valid_to), so nothing here shows a withdrawn result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.text import slugify

from catalogue.models import Benchmark

from .board_table import is_cpu_only
from .models import LeaderboardEntry

COMPARE_MIN, COMPARE_MAX = 2, 4
SYSTEMS_PER_PAGE = 50
SEARCH_MAX_LENGTH = 100


@dataclass
class SystemRow:
    organization: str
    system_name: str
    accelerators: set[str] = field(default_factory=set)
    # benchmark id -> that benchmark's current rows of this system, best level first
    cells: dict[int, list[LeaderboardEntry]] = field(default_factory=dict)

    @property
    def slugs(self) -> tuple[str, str]:
        return system_slugs(self.organization, self.system_name)


def system_slugs(organization: str, system_name: str) -> tuple[str, str]:
    return slugify(organization) or "-", slugify(system_name) or "-"


def current_entries() -> QuerySet[LeaderboardEntry]:
    return LeaderboardEntry.objects.filter(valid_to__isnull=True).select_related(
        "leaderboard__benchmark__suite", "leaderboard__level"
    )


def _search(entries: QuerySet[LeaderboardEntry], text: str) -> QuerySet[LeaderboardEntry]:
    text = text.strip()[:SEARCH_MAX_LENGTH]
    if not text:
        return entries
    return entries.filter(
        Q(organization__icontains=text) | Q(system_name__icontains=text) | Q(accelerator__icontains=text)
    )


@dataclass
class SystemsPage:
    benchmarks: list[Benchmark]
    rows: list[SystemRow]
    number: int
    pages: int
    total: int


def systems_table(*, search: str = "", profile: str = "full", page: int = 1) -> SystemsPage:
    """One page of systems (SYSTEMS_PER_PAGE, by organization and name), one column per benchmark.

    The page's systems are chosen in SQL (distinct organization and system name), so a page
    reads only its own systems' rows however many results are published."""
    matching = _search(current_entries().filter(leaderboard__profile=profile), search)
    pairs = (
        matching.values_list("organization", "system_name").distinct().order_by("organization", "system_name")
    )
    total = pairs.count()
    pages = max(1, -(-total // SYSTEMS_PER_PAGE))
    number = min(max(page, 1), pages)
    chosen = list(pairs[(number - 1) * SYSTEMS_PER_PAGE : number * SYSTEMS_PER_PAGE])
    match = Q(pk__in=[])
    for organization, system_name in chosen:
        match |= Q(organization=organization, system_name=system_name)
    benchmarks, rows = _table(matching.filter(match))
    return SystemsPage(benchmarks=benchmarks, rows=rows, number=number, pages=pages, total=total)


def _table(entries: QuerySet[LeaderboardEntry]) -> tuple[list[Benchmark], list[SystemRow]]:
    systems: dict[tuple[str, str], SystemRow] = {}
    benchmarks: dict[int, Benchmark] = {}
    for entry in entries.order_by("leaderboard__level__order", "rank"):
        key = (entry.organization, entry.system_name)
        row = systems.setdefault(key, SystemRow(entry.organization, entry.system_name))
        row.accelerators.add(entry.accelerator)
        bench = entry.leaderboard.benchmark
        benchmarks[bench.pk] = bench
        row.cells.setdefault(bench.pk, []).append(entry)
    columns = sorted(benchmarks.values(), key=lambda b: (b.suite.order, b.slug))
    rows = sorted(systems.values(), key=lambda r: (r.organization.lower(), r.system_name.lower()))
    return columns, rows


def system_entries(*, organization_slug: str, system_slug: str) -> list[LeaderboardEntry]:
    """Every current row of the system the slugs name, on every suite, benchmark, level and profile."""
    pairs = LeaderboardEntry.objects.filter(valid_to__isnull=True).values_list("organization", "system_name")
    wanted = (organization_slug, system_slug)
    names = {pair for pair in pairs.distinct() if system_slugs(*pair) == wanted}
    if not names:
        return []
    match = Q()
    for organization, system_name in names:
        match |= Q(organization=organization, system_name=system_name)
    return list(
        current_entries()
        .filter(match)
        .order_by(
            "leaderboard__benchmark__suite__order",
            "leaderboard__benchmark__slug",
            "leaderboard__level__order",
            "leaderboard__profile",
        )
    )


def compared_entries(*, submission_ids: list[UUID]) -> list[LeaderboardEntry]:
    """The current rows of the given results, in the order asked (a result on two boards: the first)."""
    found: dict[UUID, LeaderboardEntry] = {}
    for entry in current_entries().filter(submission_id__in=submission_ids).select_related("submission"):
        found.setdefault(entry.submission_id, entry)
    return [found[sid] for sid in submission_ids if sid in found]


def with_cpu_cores(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add `cpu_cores` to rows of systems without accelerators, from their system descriptions."""
    from submissions.models import Submission

    cpu = {row["submission_id"]: row for row in rows if is_cpu_only(row)}
    if cpu:
        found = Submission.objects.filter(pk__in=list(cpu)).values_list("pk", "system_description")
        for pk, description in found:
            cpu[pk]["cpu_cores"] = cpu_cores(description)
    return rows


def cpu_cores(description: object) -> int:
    """Host cores of the whole system: cores per processor x processors per node x nodes."""
    if not isinstance(description, dict):
        return 0
    cores = _count(description.get("host_processor_core_count"))
    processors = _count(description.get("host_processors_per_node")) or 1
    nodes = _count(description.get("number_of_nodes")) or 1
    return cores * processors * nodes


def _count(value: object) -> int:
    try:
        return max(int(str(value)), 0)
    except ValueError:
        return 0


def result_standing(*, submission_id: UUID) -> LeaderboardEntry | None:
    """A published result's current row on its board (None when it is on none)."""
    return current_entries().filter(submission_id=submission_id).first()
