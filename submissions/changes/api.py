"""API for the submitting side: withdraw a submission, upload a correction of one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchcouncil.api_refusals import StatusConflict, service_refusals
from benchcouncil.auth import signed_in_user
from submissions.models import Submission
from submissions.selectors import submission_visible_or_404
from submissions.states import TransitionError

from . import services


class SubmissionStateOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    supersedes = serializers.UUIDField(source="supersedes_id", allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Submission) -> str:
        return self.context["request"].build_absolute_uri(reverse("submissions:detail", args=[obj.pk]))


class _SubmissionChangeApi(APIView):
    """A change the submitter's side asks for on a submission they can see, with its input."""

    permission_classes = [IsAuthenticated]
    InputSerializer: type[serializers.Serializer]

    def asked(self, request: Request, submission_id: UUID) -> tuple[Submission, dict[str, Any]]:
        submission = submission_visible_or_404(request.user, submission_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return submission, data.validated_data


class SubmissionWithdrawApi(_SubmissionChangeApi):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    # Named: both views' InputSerializer would otherwise share one schema component.
    @extend_schema_serializer(component_name="SubmissionWithdrawInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, responses={200: SubmissionStateOutput})
    def post(self, request: Request, submission_id: UUID) -> Response:
        submission, data = self.asked(request, submission_id)
        with service_refusals():
            services.submission_withdraw(submission=submission, actor=signed_in_user(request), **data)
        return Response(SubmissionStateOutput(submission, context={"request": request}).data)


class SubmissionCorrectionApi(_SubmissionChangeApi):
    parser_classes = [MultiPartParser]
    throttle_scope = "uploads"

    @extend_schema_serializer(component_name="SubmissionCorrectionInput")
    class InputSerializer(serializers.Serializer):
        bundle = serializers.FileField()
        reason = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, responses={201: SubmissionStateOutput})
    def post(self, request: Request, submission_id: UUID) -> Response:
        submission, data = self.asked(request, submission_id)
        user = signed_in_user(request)
        if not services.submission_can_correct(user, submission):
            if submission.status not in services.CORRECTABLE:
                raise StatusConflict(TransitionError(submission.status, "superseded"))
            raise PermissionDenied("Only the submitter or the organization's members may correct it.")
        with service_refusals():
            corrected = services.submission_correct(
                submission=submission, actor=user, bundle_name=data["bundle"].name, **data
            )
        output = SubmissionStateOutput(corrected, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)
