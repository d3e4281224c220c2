"""The review API's reproduction request: the same rules as the review page's form."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchcouncil.auth import signed_in_user
from submissions.models import Submission
from submissions.review.review_api import IsReviewer, ReproductionCheckSerializer

from .reproduction_checks import reproduction_request


class ReviewReproductionApi(APIView):
    """Ask a runner to re-run the submission's configuration and compare its figures."""

    permission_classes = [IsReviewer]

    @extend_schema_serializer(component_name="ReviewReproductionInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, responses={201: ReproductionCheckSerializer})
    def post(self, request: Request, submission_id: UUID) -> Response:
        submission = get_object_or_404(Submission, pk=submission_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            check = reproduction_request(
                submission=submission, actor=signed_in_user(request), **data.validated_data
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValueError as exc:
            return Response(
                {"detail": str(exc), "status": submission.status}, status=status.HTTP_409_CONFLICT
            )
        return Response(ReproductionCheckSerializer(check).data, status=status.HTTP_201_CREATED)
