"""A submission's findings, page by page: the detail answer carries only the first of them."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchcouncil.pagination import CheckedPageNumberPagination

from .display import findings_ordered
from .models import Finding
from .selectors import submission_visible_or_404


@extend_schema_serializer(component_name="SubmissionFinding")
class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["severity", "code", "message", "location"]


class SubmissionFindingsApi(APIView):
    """Every finding of a submission, errors first, in pages (page, page_size)."""

    @extend_schema(
        operation_id="submissions_findings",
        summary="A submission's findings, page by page",
        responses={404: OpenApiResponse(description="No such submission, or not yours.")},
    )
    def get(self, request: Request, submission_id: UUID) -> Response:
        submission = submission_visible_or_404(request.user, submission_id)
        paginator = CheckedPageNumberPagination()
        page = paginator.paginate_queryset(findings_ordered(submission), request, view=self)
        return paginator.get_paginated_response(FindingSerializer(page, many=True).data)
