"""The catalogue's models move here from ranking; the tables stay as they are.

State only: the rows and tables created by ranking's migrations are kept, and
0002_catalogue_tables renames the tables once every app points here.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ranking", "0005_batch_scaling_rule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CatalogueRelease",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("version", models.CharField(max_length=32, unique=True)),
                        ("sha256", models.CharField(max_length=64)),
                        ("loaded_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "ranking_cataloguerelease",
                        "ordering": ["-loaded_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Level",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("slug", models.SlugField(unique=True)),
                        ("name", models.CharField(max_length=64)),
                        ("order", models.PositiveSmallIntegerField()),
                        ("description", models.TextField()),
                        ("changeable_layers", models.JSONField(default=list)),
                        ("hyperparameters_may_change", models.BooleanField()),
                        ("model_may_change", models.BooleanField()),
                        ("tunable_hyperparameters", models.JSONField(default=list)),
                        ("batch_scaling", models.CharField(default="fixed", max_length=16)),
                    ],
                    options={
                        "db_table": "ranking_level",
                        "ordering": ["order"],
                    },
                ),
                migrations.CreateModel(
                    name="Suite",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("slug", models.SlugField(unique=True)),
                        ("name", models.CharField(max_length=64)),
                        ("version", models.CharField(max_length=32)),
                        ("order", models.PositiveSmallIntegerField()),
                        ("description", models.TextField()),
                        ("levels", models.ManyToManyField(related_name="suites", to="catalogue.level")),
                    ],
                    options={
                        "db_table": "ranking_suite",
                        "ordering": ["order"],
                    },
                ),
                migrations.CreateModel(
                    name="Benchmark",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("slug", models.SlugField()),
                        ("name", models.CharField(max_length=128)),
                        ("model", models.CharField(max_length=128)),
                        ("dataset", models.CharField(max_length=128)),
                        ("train_samples", models.PositiveIntegerField()),
                        ("eval_samples", models.PositiveIntegerField()),
                        ("input_shape", models.CharField(max_length=64)),
                        ("quality_metric", models.CharField(max_length=32)),
                        ("quality_metric_label", models.CharField(max_length=64)),
                        ("higher_is_better", models.BooleanField(default=True)),
                        ("target_quality", models.FloatField()),
                        ("vflops_exponent", models.FloatField(blank=True, null=True)),
                        ("epochs", models.PositiveIntegerField(blank=True, null=True)),
                        ("per_sample_training_flops", models.FloatField()),
                        ("required_runs", models.PositiveSmallIntegerField()),
                        ("aggregation", models.CharField(max_length=16)),
                        (
                            "ranking_metric",
                            models.CharField(
                                choices=[
                                    ("valid_flops", "Valid FLOPS"),
                                    ("time_to_quality", "Time to quality"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("quality_cap", models.BooleanField(default=False)),
                        ("mllog_benchmark", models.CharField(max_length=64)),
                        ("reference_hyperparameters", models.JSONField(default=dict)),
                        ("reported_results", models.CharField(default="with_others", max_length=16)),
                        ("reference_accelerators", models.PositiveIntegerField(default=1)),
                        ("catalogue_version", models.CharField(max_length=32)),
                        (
                            "suite",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="benchmarks",
                                to="catalogue.suite",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ranking_benchmark",
                        "ordering": ["suite__order", "slug"],
                        "constraints": [
                            models.UniqueConstraint(fields=("suite", "slug"), name="benchmark_unique_slug")
                        ],
                    },
                ),
            ],
        ),
    ]
