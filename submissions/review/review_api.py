"""The review API, for reviewers: the queue, a submission's review data, and every decision.

The same reads and services as the review pages, so a decision taken by script follows the
same rules (a reason each time, no decision on one's own or one's organization's submission).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchcouncil.api_refusals import service_refusals
from benchcouncil.auth import signed_in_user
from submissions.findings_api import FindingSerializer
from submissions.models import Submission
from submissions.selectors import submission_events_visible
from submissions.serializers import EventSerializer, RunSerializer, submission_links

from . import selectors, services
from .queue import QueueFilterForm, review_queue_filtered
from .safeguards import duplicate_matches, review_conflict

DECISION_NAMES = sorted(services.DECISIONS)


class IsReviewer(BasePermission):
    message = "Reviewers only."

    def has_permission(self, request: Request, view: Any) -> bool:
        return selectors.is_reviewer(request.user)


def _reviewed(submission_id: UUID) -> Submission:
    related = ("owner", "organization", "suite", "benchmark", "level")
    return get_object_or_404(Submission.objects.select_related(*related), pk=submission_id)


LINKS = {
    "self": "api-review-detail",
    "html": "review:detail",
    "decision": "api-review-decision",
    "reproductions": "api-review-reproductions",
    "bundle": "api-submission-bundle",
}


@extend_schema_serializer(component_name="ReviewSubmission")
class ReviewSubmissionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    bundle_name = serializers.CharField()
    bundle_sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    owner = serializers.CharField(source="owner.get_username")
    organization = serializers.CharField(source="organization.slug", allow_null=True)
    organization_name = serializers.CharField()
    suite = serializers.CharField(source="suite.slug", allow_null=True)
    benchmark = serializers.CharField(source="benchmark.slug", allow_null=True)
    level = serializers.CharField(source="level.slug", allow_null=True)
    provenance = serializers.CharField()
    profile = serializers.CharField()
    availability = serializers.CharField()


@extend_schema_serializer(component_name="ReviewQueueEntry")
class QueueEntrySerializer(serializers.Serializer):
    submission = ReviewSubmissionSerializer()
    runs = serializers.IntegerField(source="submission.run_count")
    warnings = serializers.IntegerField(source="submission.warning_count")
    duplicates = serializers.IntegerField(help_text="earlier submissions sharing its bundle or a run log")
    can_decide = serializers.BooleanField()
    url = serializers.SerializerMethodField()

    def get_url(self, entry: Any) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api-review-detail", args=[entry.submission.pk])
        )


class ReviewQueueApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema_serializer(component_name="ReviewQueue")
    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        results = QueueEntrySerializer(many=True)

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, required=False)
            for name in ("suite", "benchmark", "level", "organization", "provenance")
        ]
        + [OpenApiParameter(name, bool, required=False) for name in ("flagged", "decidable")],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = QueueFilterForm(request.query_params)
        if not filters.is_valid():
            raise ValidationError({name: [str(e) for e in errors] for name, errors in filters.errors.items()})
        entries = review_queue_filtered(signed_in_user(request), filters.cleaned_data)
        output = self.OutputSerializer(
            {"count": len(entries), "results": entries}, context={"request": request}
        )
        return Response(output.data)


@extend_schema_serializer(component_name="ReviewDuplicate")
class DuplicateSerializer(serializers.Serializer):
    submission = serializers.UUIDField(source="other.pk")
    submission_status = serializers.CharField(source="other.status")
    submitted_by = serializers.CharField(source="other.owner.get_username")
    what = serializers.CharField(help_text='"bundle", or the log\'s name in this submission')
    other_what = serializers.CharField(help_text='"bundle", or the log\'s name in the earlier submission')
    sha256 = serializers.CharField()
    description = serializers.CharField()


class DiffCellSerializer(serializers.Serializer):
    # Named as the review page's column; a declared field replaces Field.source on the class.
    source = serializers.CharField()  # type: ignore[assignment]
    value = serializers.JSONField()
    differs = serializers.BooleanField()


@extend_schema_serializer(component_name="ReviewHyperparameter")
class HyperparameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    reference = serializers.JSONField()
    cells = DiffCellSerializer(many=True)
    differs = serializers.BooleanField()
    allowed = serializers.BooleanField(allow_null=True)


@extend_schema_serializer(component_name="ReviewSoftware")
class SoftwareSerializer(serializers.Serializer):
    name = serializers.CharField()
    layer = serializers.IntegerField()
    value = serializers.JSONField()
    reference = serializers.JSONField()
    differs = serializers.BooleanField(allow_null=True)
    may_change = serializers.BooleanField()


@extend_schema_serializer(component_name="ReviewReproductionCheck")
class ReproductionCheckSerializer(serializers.Serializer):
    job_id = serializers.CharField()
    status = serializers.CharField()
    verdict = serializers.CharField()
    reason = serializers.CharField()
    tolerance = serializers.JSONField()
    comparison = serializers.JSONField(allow_null=True)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class ReviewDetailApi(APIView):
    """Everything the review page shows, as data."""

    permission_classes = [IsReviewer]

    @extend_schema_serializer(component_name="ReviewDetail")
    class OutputSerializer(serializers.Serializer):
        submission = ReviewSubmissionSerializer()
        system_description = serializers.JSONField(allow_null=True)
        manifest = serializers.JSONField(allow_null=True)
        per_sample_training_flops = serializers.FloatField(allow_null=True)
        supersedes = serializers.UUIDField(allow_null=True)
        runs = RunSerializer(many=True)
        run_log_sha256 = serializers.DictField(child=serializers.CharField())
        findings = FindingSerializer(many=True)
        hyperparameters = HyperparameterSerializer(many=True)
        software = SoftwareSerializer(many=True)
        duplicates = DuplicateSerializer(many=True)
        reproduction_checks = ReproductionCheckSerializer(many=True)
        events = EventSerializer(many=True)
        can_decide = serializers.BooleanField()
        conflict = serializers.CharField(allow_null=True)
        decisions = serializers.ListField(child=serializers.CharField())
        links = serializers.DictField(child=serializers.URLField())

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, submission_id: UUID) -> Response:
        submission = _reviewed(submission_id)
        runs = list(submission.runs.all())
        conflict = review_conflict(request.user, submission)
        data = {
            "submission": submission,
            "system_description": submission.system_description,
            "manifest": submission.manifest,
            "per_sample_training_flops": submission.per_sample_training_flops,
            "supersedes": submission.supersedes_id,
            "runs": runs,
            "run_log_sha256": {run.log_name: run.log_sha256 for run in runs if run.log_sha256},
            "findings": submission.findings.all(),
            "hyperparameters": selectors.hyperparameter_diff(submission),
            "software": selectors.software_diff(submission),
            "duplicates": duplicate_matches(submission),
            "reproduction_checks": selectors.reproduction_checks(submission),
            "events": submission_events_visible(request.user, submission),
            "can_decide": conflict is None,
            "conflict": conflict,
            "decisions": DECISION_NAMES,
            "links": submission_links(request, submission.pk, LINKS),
        }
        context = {"request": request, "can_manage": True}
        return Response(self.OutputSerializer(data, context=context).data)


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DECISION_NAMES)
    reason = serializers.CharField(max_length=5000)
    public = serializers.BooleanField(default=True, help_text="false: a staff-only note")


@extend_schema_serializer(component_name="ReviewDecisionOutcome")
class OutcomeSerializer(serializers.Serializer):
    submission = serializers.UUIDField(source="submission_id")
    decided = serializers.BooleanField()
    status = serializers.CharField()
    detail = serializers.CharField()


class ReviewDecisionApi(APIView):
    """Approve, reject, request changes, supersede or withdraw, with a reason."""

    permission_classes = [IsReviewer]

    @extend_schema(request=DecisionInput, responses={200: OutcomeSerializer})
    def post(self, request: Request, submission_id: UUID) -> Response:
        submission = _reviewed(submission_id)
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_refusals():
            services.review_decide(
                submission=submission, actor=signed_in_user(request), **data.validated_data
            )
        outcome = services.DecisionOutcome(submission.pk, True, submission.status, "Decided.")
        return Response(OutcomeSerializer(outcome).data)


class ReviewBulkDecisionApi(APIView):
    """One decision for several submissions, recorded on each with the reason; each one stands alone."""

    permission_classes = [IsReviewer]

    @extend_schema_serializer(component_name="ReviewBulkDecisionInput")
    class InputSerializer(DecisionInput):
        submissions = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=200)

    @extend_schema_serializer(component_name="ReviewBulkDecisionOutput")
    class OutputSerializer(serializers.Serializer):
        decided = serializers.IntegerField()
        results = OutcomeSerializer(many=True)

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcomes = services.review_decide_many(
            submission_ids=data.validated_data["submissions"],
            decision=data.validated_data["decision"],
            actor=signed_in_user(request),
            reason=data.validated_data["reason"],
            public=data.validated_data["public"],
        )
        decided = sum(1 for outcome in outcomes if outcome.decided)
        return Response(self.OutputSerializer({"decided": decided, "results": outcomes}).data)
