from django.contrib import admin

from benchcouncil.admin import ReadOnlyAdmin

from .models import Benchmark, CatalogueRelease, Level, Suite


@admin.register(Suite)
class SuiteAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "slug", "order"]
    # A suite's version stands beside its name, as in the list.
    fields = ["slug", "name", "version", "order", "description", "levels"]


@admin.register(Level)
class LevelAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "order", "hyperparameters_may_change", "model_may_change"]


@admin.register(Benchmark)
class BenchmarkAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "suite",
        "slug",
        "target_quality",
        "vflops_exponent",
        "required_runs",
        "ranking_metric",
        "catalogue_version",
    ]
    list_filter = ["suite", "ranking_metric"]
    search_fields = ["name", "slug", "model", "dataset"]


@admin.register(CatalogueRelease)
class CatalogueReleaseAdmin(ReadOnlyAdmin):
    list_display = ["version", "sha256", "loaded_at"]
