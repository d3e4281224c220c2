"""The submissions API: upload a bundle, follow its validation and review, fetch its bytes.

Invisible submissions answer 404, never 403, so that ids cannot be probed.
"""

from __future__ import annotations

import re
from typing import Any, cast
from uuid import UUID

from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import renderers, serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchcouncil.auth import signed_in_user
from benchcouncil.pagination import CheckedPageNumberPagination
from benchcouncil.params import MAX_PAGE, MAX_PAGE_SIZE
from catalogue.serializers import CatalogueSlugsSerializer

from .display import FINDINGS_SHOWN, findings_ordered
from .downloads import SHA256_HEADER, bundle_response
from .findings_api import FindingSerializer
from .models import Organization, Submission
from .selectors import (
    submission_can_manage,
    submission_events_visible,
    submission_list_visible,
    submission_visible_or_404,
    user_organization_ids,
    user_organizations,
)
from .serializers import EventSerializer, RunSerializer, submission_links
from .services import submission_create
from .states import Status
from .uploads import file_sha256

IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


LINKS = {
    "self": "api-submission-detail",
    "html": "submissions:detail",
    "bundle": "api-submission-bundle",
    "findings": "api-submission-findings",
}


def _links(request: Request, submission: Submission) -> dict[str, str]:
    return submission_links(request, submission.pk, LINKS)


@extend_schema_serializer(component_name="SubmissionLinks")
class LinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    html = serializers.URLField()
    bundle = serializers.URLField()
    findings = serializers.URLField(help_text="Every finding, page by page.")


class SubmissionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Status.choices)
    suite = filters.CharFilter(field_name="suite__slug")
    benchmark = filters.CharFilter(field_name="benchmark__slug")
    level = filters.CharFilter(field_name="level__slug")

    class Meta:
        model = Submission
        fields = ["status", "suite", "benchmark", "level"]


@extend_schema_serializer(component_name="SubmissionSummary")
class SummarySerializer(CatalogueSlugsSerializer):
    """What a list row and an upload's answer say about a submission."""

    url = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField(
        help_text="The submitter's username, for the submitter's own side and staff; null for everyone else."
    )
    organization: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Submission
        fields = [
            "id", "url", "status", "owner", "organization", "provenance", "profile", "suite",
            "benchmark", "level", "bundle_name", "bundle_size", "bundle_sha256", "system_name",
            "created_at", "updated_at", "published_at", "links",
        ]  # fmt: skip

    @extend_schema_field({"type": "string", "nullable": True})
    def get_owner(self, submission: Submission) -> str | None:
        # The pages never name submitters to the public; neither does the API.
        user = self.context["request"].user
        if not user.is_authenticated:
            return None
        if (
            user.is_staff
            or submission.owner_id == user.pk
            or submission.organization_id in self._org_ids(user)
        ):
            return submission.owner.get_username()
        return None

    def _org_ids(self, user: Any) -> set[int]:
        # Once per answer, not once per row of a list.
        context = cast("dict[str, Any]", self.context)
        if "_org_ids" not in context:
            context["_org_ids"] = set(user_organization_ids(user))
        return cast("set[int]", context["_org_ids"])

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, submission: Submission) -> str:
        return _links(self.context["request"], submission)["self"]

    @extend_schema_field(LinksSerializer)
    def get_links(self, submission: Submission) -> dict[str, str]:
        return _links(self.context["request"], submission)


class SubmissionListCreateApi(APIView):
    """GET: the submissions you may see. POST: upload a result bundle (multipart, token auth)."""

    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="SubmissionUpload")
    class InputSerializer(serializers.Serializer):
        bundle = serializers.FileField(
            help_text="The result bundle, a .tar.gz or .zip (docs/bundle-format.md).",
            error_messages={
                "required": "Attach the bundle file as the multipart field 'bundle'.",
                "invalid": "Attach the bundle file as the multipart field 'bundle'.",
                "empty": "The bundle file is empty (0 bytes); attach the .tar.gz or .zip you packed.",
                "no_name": "The bundle file has no name; send it with a file name such as bundle.tar.gz.",
            },
        )
        organization = serializers.SlugField(
            required=False,
            allow_blank=True,
            help_text="Slug of an organization you are a member of; its members may then see the submission.",
        )

        def validate_organization(self, slug: str) -> Any:
            if not slug:
                return None
            organization = user_organizations(self.context["user"]).filter(slug=slug).first()
            if organization is None:
                raise ValidationError(f"You are not a member of an organization with the slug {slug!r}.")
            return organization

    class ListFilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        suite = serializers.SlugField(required=False)
        benchmark = serializers.SlugField(required=False)
        level = serializers.SlugField(required=False)
        page = serializers.IntegerField(
            required=False, min_value=1, max_value=MAX_PAGE, help_text="Pages of page_size, from 1."
        )
        page_size = serializers.IntegerField(
            required=False, min_value=1, max_value=MAX_PAGE_SIZE, help_text="Rows a page; 50 by default."
        )

    @extend_schema_serializer(component_name="SubmissionPage")
    class PageSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        next = serializers.URLField(allow_null=True)
        previous = serializers.URLField(allow_null=True)
        results = SummarySerializer(many=True)

    @property
    def throttle_scope(self) -> str | None:
        # Uploads are costly (storage, a validation task); reading is not.
        return "uploads" if self.request.method == "POST" else None

    @extend_schema(
        operation_id="submissions_list",
        summary="List the submissions you may see",
        description=(
            "Your own, your organizations' and all published submissions (staff: all), newest first. "
            "Anonymous callers see published ones only."
        ),
        parameters=[ListFilterSerializer],
        responses={200: PageSerializer, 400: OpenApiResponse(description="An unknown filter value.")},
    )
    def get(self, request: Request) -> Response:
        filterset = SubmissionFilter(request.query_params, queryset=submission_list_visible(request.user))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        paginator = CheckedPageNumberPagination()
        page: list[Submission] | None = paginator.paginate_queryset(filterset.qs, request, view=self)
        data = SummarySerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="submissions_create",
        summary="Upload a result bundle",
        description=(
            "Stores the bundle byte for byte and queues its validation; follow the submission at the "
            "URL in the Location header (also `url` in the body). Uploads over the hard limit are "
            "refused with 413 before anything is stored; anything else is stored, and a broken "
            "bundle ends `invalid` with findings that say why."
        ),
        request={"multipart/form-data": InputSerializer},
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=(
                    "Up to 128 printable ASCII characters, unique per upload (a CI job id, the bundle's "
                    "sha256). A retry with the same key returns the submission the first request "
                    "created (200) instead of creating another."
                ),
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[200, 202],
                description="The submission's API URL.",
            ),
        ],
        responses={
            202: OpenApiResponse(SummarySerializer, "Stored and queued for validation; see Location."),
            200: OpenApiResponse(SummarySerializer, "A retry: the submission this Idempotency-Key made."),
            400: OpenApiResponse(description="No file, an empty file, or an organization you are not in."),
            401: OpenApiResponse(description="No or a wrong API token."),
            413: OpenApiResponse(description="The upload is over the hard limit; nothing was stored."),
            422: OpenApiResponse(description="The Idempotency-Key was used before with another bundle."),
        },
    )
    def post(self, request: Request) -> Response:
        key = self._idempotency_key(request)
        serializer = self.InputSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        bundle = serializer.validated_data["bundle"]
        submission, created = submission_create(
            owner=signed_in_user(request),
            bundle=bundle,
            bundle_name=bundle.name,
            organization=serializer.validated_data.get("organization"),
            idempotency_key=key,
        )
        if not created and submission.bundle_sha256 != file_sha256(bundle):
            raise IdempotencyKeyReused(
                f"{IDEMPOTENCY_HEADER} {key!r} was used for submission {submission.pk} with a different "
                "bundle; use a new key for a new bundle."
            )
        data = SummarySerializer(submission, context={"request": request}).data
        code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        return Response(data, status=code, headers={"Location": data["url"]})

    @staticmethod
    def _idempotency_key(request: Request) -> str | None:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return None
        if not _KEY.match(key):
            raise ValidationError(
                {IDEMPOTENCY_HEADER: ["Use 1 to 128 printable ASCII characters without spaces."]}
            )
        return key


class SubmissionDetailApi(APIView):
    """A submission: status, findings, derived per-run figures, system description, history."""

    @extend_schema_serializer(component_name="SubmissionDetail")
    class OutputSerializer(SummarySerializer):
        findings = serializers.SerializerMethodField(
            help_text=f"The first {FINDINGS_SHOWN} findings, errors first; links.findings pages through all."
        )
        findings_count = serializers.SerializerMethodField()
        runs = RunSerializer(many=True)
        events = serializers.SerializerMethodField()

        class Meta(SummarySerializer.Meta):
            fields = [
                *SummarySerializer.Meta.fields, "availability", "organization_name", "manifest",
                "system_description", "hyperparameters", "per_sample_training_flops",
                "catalogue_version", "validated_at", "findings", "findings_count", "runs", "events",
            ]  # fmt: skip

        @extend_schema_field(FindingSerializer(many=True))
        def get_findings(self, submission: Submission) -> list[dict[str, Any]]:
            first = findings_ordered(submission)[:FINDINGS_SHOWN]
            return cast("list[dict[str, Any]]", FindingSerializer(first, many=True).data)

        @extend_schema_field(OpenApiTypes.INT)
        def get_findings_count(self, submission: Submission) -> int:
            return submission.findings.count()

        @extend_schema_field(EventSerializer(many=True))
        def get_events(self, submission: Submission) -> list[dict[str, Any]]:
            user = self.context["request"].user
            events = submission_events_visible(user, submission)
            context = {"can_manage": submission_can_manage(user, submission)}
            # many=True makes a ListSerializer, whose data is a list; the stubs type the call
            # as the item serializer, whose data is a dict.
            return cast("list[dict[str, Any]]", EventSerializer(events, many=True, context=context).data)

    @extend_schema(
        operation_id="submissions_retrieve",
        summary="A submission: status, findings, per-run figures, history",
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(description="No such submission, or not yours."),
        },
    )
    def get(self, request: Request, submission_id: UUID) -> Response:
        submission = submission_visible_or_404(request.user, submission_id)
        return Response(self.OutputSerializer(submission, context={"request": request}).data)


class OctetStreamRenderer(renderers.BaseRenderer):
    """Lets a client ask for application/octet-stream; an error answer is still JSON text."""

    media_type = "application/octet-stream"
    format = "bin"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return renderers.JSONRenderer().render(data)


class SubmissionBundleApi(APIView):
    """The original bundle, byte for byte, as it was uploaded."""

    renderer_classes = [renderers.JSONRenderer, OctetStreamRenderer]

    @extend_schema(
        operation_id="submissions_bundle",
        summary="Download the original bundle",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, f"The stored bytes; their sha256 is in the {SHA256_HEADER} header."
            ),
            404: OpenApiResponse(description="No such submission, or not yours."),
        },
    )
    def get(self, request: Request, submission_id: UUID) -> FileResponse:
        submission = submission_visible_or_404(request.user, submission_id)
        return bundle_response(submission)
