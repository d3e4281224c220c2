"""Writes for the catalogue: the database copy follows catalogue.toml."""

from __future__ import annotations

from dataclasses import asdict

from django.db import transaction

from . import Benchmark as CatalogueBenchmark
from . import Catalogue, get_catalogue
from .models import Benchmark, CatalogueRelease, Level, Suite
from .signals import benchmark_rules_changed

# The fields that change a benchmark's scores when they change.
SCORING_FIELDS = (
    "target_quality",
    "vflops_exponent",
    "per_sample_training_flops",
    "required_runs",
    "aggregation",
    "ranking_metric",
    "quality_cap",
    "higher_is_better",
    "reported_results",
)


@transaction.atomic
def catalogue_sync(*, catalogue: Catalogue | None = None) -> CatalogueRelease:
    """Make the database copy match the catalogue file; idempotent."""
    catalogue = catalogue or get_catalogue()
    levels = {}
    for slug, level in catalogue.levels.items():
        fields = asdict(level)
        fields.pop("slug")
        # A validator-only setting: the database copy holds what pages and scores read.
        fields.pop("missing_seed")
        fields["changeable_layers"] = list(level.changeable_layers)
        fields["tunable_hyperparameters"] = list(level.tunable_hyperparameters)
        levels[slug], _ = Level.objects.update_or_create(slug=slug, defaults=fields)

    changed: list[Benchmark] = []
    for suite_slug, suite in catalogue.suites.items():
        suite_row, _ = Suite.objects.update_or_create(
            slug=suite_slug,
            defaults={
                "name": suite.name,
                "version": suite.version,
                "order": suite.order,
                "description": suite.description,
            },
        )
        suite_row.levels.set([levels[slug] for slug in suite.levels])
        for benchmark in suite.benchmarks.values():
            row = _sync_benchmark(suite_row, benchmark, catalogue.version)
            if row is not None:
                changed.append(row)

    release, _ = CatalogueRelease.objects.get_or_create(
        version=catalogue.version, defaults={"sha256": catalogue.sha256}
    )
    if changed:
        transaction.on_commit(lambda: benchmark_rules_changed.send(sender=Benchmark, benchmarks=changed))
    return release


def _sync_benchmark(suite_row: Suite, benchmark: CatalogueBenchmark, version: str) -> Benchmark | None:
    """Create or update one benchmark; return it when its scoring rules changed."""
    fields = asdict(benchmark)
    for key in ("suite", "slug"):
        fields.pop(key)
    fields["catalogue_version"] = version
    row = Benchmark.objects.filter(suite=suite_row, slug=benchmark.slug).first()
    if row is None:
        Benchmark.objects.create(suite=suite_row, slug=benchmark.slug, **fields)
        return None
    rules_changed = any(getattr(row, name) != fields[name] for name in SCORING_FIELDS)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row if rules_changed else None
