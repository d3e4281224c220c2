"""How the API names the catalogue: a suite, a benchmark or a level by its slug."""

from __future__ import annotations

from rest_framework import serializers

from .models import Benchmark, Level, Suite


# The base of the answers about a thing of one suite, benchmark and level (a submission, a
# job); subclasses name the model and its fields in their Meta. No docstring: the API schema
# would show it as the description of every subclass without one of its own.
class CatalogueSlugsSerializer(serializers.ModelSerializer):
    suite: serializers.SlugRelatedField[Suite] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    benchmark: serializers.SlugRelatedField[Benchmark] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    level: serializers.SlugRelatedField[Level] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
