from __future__ import annotations

from rest_framework import serializers

from catalogue.models import Benchmark, Level, Suite


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
