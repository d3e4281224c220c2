"""The catalogue's database copy, synchronised from catalogue/catalogue.toml.

Rows here are read-only everywhere (admin included): edit the TOML file and release a new
catalogue version instead. Submissions point at these rows.
"""

from __future__ import annotations

from django.db import models


class CatalogueRelease(models.Model):
    version = models.CharField(max_length=32, unique=True)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.version


class OrderedItem(models.Model):
    """A suite or a level: named by its slug, described, and listed in the catalogue's order."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=64)
    order = models.PositiveSmallIntegerField()
    description = models.TextField()

    class Meta:
        abstract = True
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Level(OrderedItem):
    changeable_layers = models.JSONField(default=list)
    hyperparameters_may_change = models.BooleanField()
    model_may_change = models.BooleanField()
    tunable_hyperparameters = models.JSONField(default=list)
    # How the reference global batch size scales with accelerators (catalogue/scaling.py).
    batch_scaling = models.CharField(max_length=16, default="fixed")


class Suite(OrderedItem):
    version = models.CharField(max_length=32)
    levels = models.ManyToManyField(Level, related_name="suites")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class RankingMetric(models.TextChoices):
    VALID_FLOPS = "valid_flops", "Valid FLOPS"
    TIME_TO_QUALITY = "time_to_quality", "Time to quality"


class Benchmark(models.Model):
    suite = models.ForeignKey(Suite, on_delete=models.PROTECT, related_name="benchmarks")
    slug = models.SlugField()
    name = models.CharField(max_length=128)
    model = models.CharField(max_length=128)
    dataset = models.CharField(max_length=128)
    train_samples = models.PositiveIntegerField()
    eval_samples = models.PositiveIntegerField()
    input_shape = models.CharField(max_length=64)
    quality_metric = models.CharField(max_length=32)
    quality_metric_label = models.CharField(max_length=64)
    higher_is_better = models.BooleanField(default=True)
    target_quality = models.FloatField()
    vflops_exponent = models.FloatField(null=True, blank=True)
    epochs = models.PositiveIntegerField(null=True, blank=True)
    per_sample_training_flops = models.FloatField()
    required_runs = models.PositiveSmallIntegerField()
    aggregation = models.CharField(max_length=16)
    ranking_metric = models.CharField(max_length=16, choices=RankingMetric.choices)
    quality_cap = models.BooleanField(default=False)
    mllog_benchmark = models.CharField(max_length=64)
    reference_hyperparameters = models.JSONField(default=dict)
    # Where published entries ranked on fewer runs than required stand: "with_others" or
    # "after_others" (catalogue.REPORTED_RESULTS).
    reported_results = models.CharField(max_length=16, default="with_others")
    # The accelerators the reference global_batch_size is meant for.
    reference_accelerators = models.PositiveIntegerField(default=1)
    catalogue_version = models.CharField(max_length=32)

    class Meta:
        ordering = ["suite__order", "slug"]
        constraints = [models.UniqueConstraint(fields=["suite", "slug"], name="benchmark_unique_slug")]

    def __str__(self) -> str:
        return f"{self.suite.name} / {self.name}"
