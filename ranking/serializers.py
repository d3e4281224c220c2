"""The API's serializers: the catalogue, and a leaderboard's parameters and pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from rest_framework import serializers

from benchcouncil.params import MAX_PAGE, check_as_of
from catalogue.models import Benchmark, Level, Suite
from submissions.models import Availability

from .forms import SORT_CHOICES
from .selectors import ROW_FIELDS


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = [
            "slug",
            "name",
            "order",
            "description",
            "changeable_layers",
            "hyperparameters_may_change",
            "model_may_change",
            "tunable_hyperparameters",
            "batch_scaling",
        ]


class BenchmarkSerializer(serializers.ModelSerializer):
    suite: serializers.SlugRelatedField[Suite] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    suite_name = serializers.CharField(source="suite.name", read_only=True)
    suite_version = serializers.CharField(source="suite.version", read_only=True)
    levels = LevelSerializer(source="suite.levels", many=True, read_only=True)

    class Meta:
        model = Benchmark
        fields = [
            "suite",
            "suite_name",
            "suite_version",
            "slug",
            "name",
            "model",
            "dataset",
            "train_samples",
            "eval_samples",
            "input_shape",
            "quality_metric",
            "quality_metric_label",
            "higher_is_better",
            "target_quality",
            "vflops_exponent",
            "epochs",
            "per_sample_training_flops",
            "required_runs",
            "aggregation",
            "ranking_metric",
            "quality_cap",
            "mllog_benchmark",
            "reference_hyperparameters",
            "reference_accelerators",
            "catalogue_version",
            "levels",
        ]


class LeaderboardInput(serializers.Serializer):
    """A board's query parameters: filters, sort, page, a past date and the profile."""

    accelerator = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Exact accelerator model."
    )
    framework = serializers.CharField(required=False, allow_blank=True, max_length=200)
    organization = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.ChoiceField(
        choices=Availability.choices,
        required=False,
        allow_blank=True,
        help_text="Availability category; ranks are then the category's own.",
    )
    sort = serializers.ChoiceField(
        choices=[c for c, _ in SORT_CHOICES],
        required=False,
        help_text="Column to sort by, '-' for descending; default rank.",
        # The answer names every column, so a client can say what would have worked.
        error_messages={
            "invalid_choice": "{input!r} is not a column to sort by; use one of "
            + ", ".join(c for c, _ in SORT_CHOICES if not c.startswith("-"))
            + " ('-' first for descending)."
        },
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    as_of = serializers.DateField(required=False, help_text="The board at the end of this day (UTC).")
    profile = serializers.ChoiceField(
        choices=["full", "smoke"], required=False, help_text="Smoke results have boards of their own."
    )

    def validate_as_of(self, day: date) -> date:
        try:
            return check_as_of(day)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


_ROW_OUTPUT = (*ROW_FIELDS, "submission_url")
# Formats a row's date as its declared DateTimeField does (ISO 8601, UTC as "Z").
_DATETIME = serializers.DateTimeField()


class LeaderboardRowOutput(serializers.Serializer):
    """One ranked result; the fields in the order of selectors.ROW_FIELDS, then its link."""

    submission_id = serializers.UUIDField()
    rank = serializers.IntegerField(help_text="Rank on the whole board.")
    category_rank = serializers.IntegerField(help_text="Rank within its availability category.")
    score = serializers.FloatField(help_text="Valid FLOPS (FLOP/s), or time-to-quality in seconds.")
    score_min = serializers.FloatField(allow_null=True)
    score_max = serializers.FloatField(allow_null=True)
    score_cv = serializers.FloatField(allow_null=True, help_text="Coefficient of variation of the runs.")
    flops = serializers.FloatField(allow_null=True, help_text="Aggregate training FLOPS, unpenalised.")
    time_s = serializers.FloatField(allow_null=True)
    quality = serializers.FloatField(allow_null=True)
    runs_total = serializers.IntegerField()
    runs_converged = serializers.IntegerField()
    runs_counted = serializers.IntegerField()
    organization = serializers.CharField()
    system_name = serializers.CharField()
    accelerator = serializers.CharField()
    accelerator_count = serializers.IntegerField()
    nodes = serializers.IntegerField()
    framework = serializers.CharField()
    availability = serializers.CharField()
    provenance = serializers.CharField()
    published_at = serializers.DateTimeField()
    submission_url = serializers.URLField()

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        # A page is 50 rows of 23 fields, and DRF's per-field lookup and conversion of each was
        # the largest part of a cold answer (benchmarks/README.md). A row read with
        # selectors.ROW_FIELDS already holds the JSON types declared above, apart from its UUID
        # and its date, so it is copied in the declared order and those two are converted as
        # their fields convert them. The declarations stay: they are the schema.
        row = {name: instance[name] for name in _ROW_OUTPUT}
        row["submission_id"] = str(row["submission_id"])
        row["published_at"] = _DATETIME.to_representation(row["published_at"])
        return row


class LeaderboardBoardSerializer(serializers.Serializer):
    """What the rows of a page are: which board, ranked how, as of when."""

    suite = serializers.CharField()
    benchmark = serializers.CharField()
    level = serializers.CharField()
    profile = serializers.CharField()
    ranking_metric = serializers.CharField()
    score_unit = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    computed_at = serializers.DateTimeField(allow_null=True)
    as_of = serializers.DateField(allow_null=True)
    category = serializers.CharField(
        allow_null=True,
        help_text="The availability category asked for; its rows' category_rank is their rank.",
    )
    rank_field = serializers.CharField(
        help_text="Which row field ranks these rows: category_rank within a category, else rank."
    )
    tie_rule = serializers.CharField()


class LeaderboardPageSerializer(serializers.Serializer):
    """One page of a board, paginated as DRF's page-number pagination answers."""

    board = LeaderboardBoardSerializer()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LeaderboardRowOutput(many=True)
