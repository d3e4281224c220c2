"""A submission's runs, history and links, as the submissions and review APIs both give them."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request

from .models import Run, StatusEvent


@extend_schema_serializer(component_name="SubmissionRun")
class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = Run
        fields = [
            "index", "log_name", "seed", "status", "converged", "time_to_train_s", "time_to_quality_s",
            "achieved_quality", "samples_processed", "epochs_completed", "per_sample_flops",
            "total_flops", "global_batch_size", "hyperparameters", "curve",
        ]  # fmt: skip


@extend_schema_serializer(component_name="SubmissionEvent")
class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = StatusEvent
        fields = ["from_status", "to_status", "actor", "reason", "public", "created_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, event: StatusEvent) -> str:
        # Reviewers act for the service: their names stay internal. Submitters' names are
        # shown to their own side only.
        if event.actor is None or event.actor.is_staff:
            return "service"
        return event.actor.get_username() if self.context.get("can_manage") else "submitter"


def submission_links(request: Request, pk: UUID, names: Mapping[str, str]) -> dict[str, str]:
    """Each link's URL name, reversed for the submission `pk`, as an absolute URL."""
    return {link: request.build_absolute_uri(reverse(name, args=[pk])) for link, name in names.items()}
