"""The runners' JSON API: model submissions for users, and the calls runner hosts make.

Runner calls authenticate with a secret, not a user: a host with its host token
(`Authorization: RunnerHost <token>`), a job with the job's own secret
(`Authorization: JobSecret <secret>`).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchcouncil.auth import signed_in_user
from catalogue.serializers import CatalogueSlugsSerializer

from . import selectors, services
from .models import Job, RunnerHost
from .states import JobTransitionError
from .submit import ModelSubmissionError, model_submission_create


@extend_schema_field(OpenApiTypes.OBJECT)
class JsonObjectField(serializers.Field):
    """A JSON object, sent as one (JSON body) or as a JSON string (multipart form)."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except json.JSONDecodeError as exc:
                raise serializers.ValidationError(f"not valid JSON: {exc.msg}") from exc
        if not isinstance(data, dict):
            raise serializers.ValidationError("must be a JSON object")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


ERRORS = inline_serializer(
    "ModelSubmissionErrors",
    {"detail": serializers.CharField(), "errors": serializers.ListField(child=serializers.CharField())},
)
RUNNER_ANSWER = inline_serializer(
    "RunnerAnswer", {"status": serializers.CharField(), "cancel": serializers.BooleanField()}
)


def _authorization(request: Request, scheme: str) -> str | None:
    header = request.headers.get("Authorization", "")
    given, _, value = header.partition(" ")
    return value.strip() if given == scheme and value.strip() else None


class JobOutput(CatalogueSlugsSerializer):
    url = serializers.SerializerMethodField()
    waiting = serializers.SerializerMethodField(help_text="what a queued job waits for; empty otherwise")

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "status",
            "waiting",
            "suite",
            "benchmark",
            "level",
            "profile",
            "pool",
            "attempt",
            "config",
            "scheduler",
            "progress",
            "log_tail",
            "failure_reason",
            "submission",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_url(self, job: Job) -> str:
        return reverse("runners:job-detail", args=[job.pk])

    def get_waiting(self, job: Job) -> str:
        return selectors.job_waiting_note(job)


# --- Model submissions (users) --------------------------------------------------------


class ModelSubmissionCreateApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    throttle_scope = "uploads"

    @extend_schema_serializer(component_name="ModelSubmissionInput")
    class Input(serializers.Serializer):
        suite = serializers.CharField()
        benchmark = serializers.CharField()
        level = serializers.CharField()
        profile = serializers.CharField(required=False, allow_blank=True)
        availability = serializers.CharField(required=False, allow_blank=True)
        hyperparameters = JsonObjectField(required=False)
        model = serializers.CharField(required=False, allow_blank=True)
        model_code = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
        model_code_file = serializers.FileField(required=False)
        organization = serializers.SlugField(required=False, allow_blank=True)
        pool = serializers.SlugField(required=False, allow_blank=True)
        time_limit_s = serializers.IntegerField(required=False, min_value=1)
        max_epochs = serializers.IntegerField(required=False, min_value=1)
        nodes = serializers.IntegerField(required=False, min_value=1)
        accelerators_per_node = serializers.IntegerField(required=False, min_value=0)

    @extend_schema(
        summary="Queue a model submission",
        request=Input,
        responses={201: JobOutput, 400: OpenApiResponse(ERRORS, description="The level check's errors.")},
    )
    def post(self, request: Request) -> Response:
        serializer = self.Input(data=request.data)
        if not serializer.is_valid():
            errors = [
                f"{name}: {' '.join(map(str, problems))}" for name, problems in serializer.errors.items()
            ]
            return _bad_request(errors)
        try:
            job = model_submission_create(user=signed_in_user(request), data=serializer.validated_data)
        except ModelSubmissionError as exc:
            return _bad_request(exc.errors)
        return Response(JobOutput(job).data, status=status.HTTP_201_CREATED)


def _bad_request(errors: list[str]) -> Response:
    return Response(
        {"detail": "The model submission was not queued.", "errors": errors},
        status=status.HTTP_400_BAD_REQUEST,
    )


class ModelSubmissionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="A model submission's job: status, progress, log tail", responses={200: JobOutput})
    def get(self, request: Request, job_id: str) -> Response:
        job = selectors.job_visible_or_404(request.user, job_id)
        return Response(JobOutput(job).data)


class ModelSubmissionCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Cancel a queued or running job", request=None, responses={200: JobOutput})
    def post(self, request: Request, job_id: str) -> Response:
        job = selectors.job_visible_or_404(request.user, job_id)
        if not selectors.job_can_cancel(request.user, job):
            return Response({"detail": f"The job is {job.status}; it cannot be cancelled."}, status=409)
        services.job_cancel(job=job, actor=signed_in_user(request))
        return Response(JobOutput(job).data)


# --- Runner hosts -----------------------------------------------------------------------


class RunnerApi(APIView):
    """Base for calls from runner hosts: no user, no session, no CSRF; a secret instead."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    Input: ClassVar[type[serializers.Serializer]]

    def input(self, request: Request) -> dict[str, Any]:
        """The call's body as the view's Input checks it; a 400 when it is wrong."""
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def host(self, request: Request) -> RunnerHost:
        token = _authorization(request, "RunnerHost")
        if token is None:
            raise NotAuthenticated("Send Authorization: RunnerHost <token>.")
        host = selectors.runner_host_for_token(token)
        if host is None:
            raise PermissionDenied("Unknown or revoked runner host token.")
        return host

    def job(self, request: Request, job_id: str) -> Job:
        secret = _authorization(request, "JobSecret")
        if secret is None:
            raise NotAuthenticated("Send Authorization: JobSecret <the job's secret>.")
        # An unknown job and a wrong secret answer alike: job ids are not probed with 404s.
        job = Job.objects.filter(pk=job_id).first()
        if job is None or not selectors.job_secret_matches(job, secret):
            raise PermissionDenied("Wrong secret for this job (a re-queued job has a new one).")
        return job

    def named_host(self, request: Request) -> RunnerHost | None:
        """The host the call names (X-Runner-Host-Token), if any; an unknown token is refused."""
        token = request.headers.get("X-Runner-Host-Token")
        host = selectors.runner_host_for_token(token) if token else None
        if token and host is None:
            raise PermissionDenied("Unknown or revoked runner host token.")
        return host

    def job_host(self, request: Request, job: Job) -> RunnerHost | None:
        """named_host, refused when it is of another pool or not the job's own host."""
        host = self.named_host(request)
        if (why := services.job_host_refusal(job=job, host=host)) is not None:
            raise PermissionDenied(f"This host may not report for the job: {why}.")
        return host

    def get_authenticate_header(self, request: Request) -> str:
        return "JobSecret"


class HostReportApi(RunnerApi):
    def get_authenticate_header(self, request: Request) -> str:
        return "RunnerHost"

    @extend_schema_serializer(component_name="RunnerHostReportInput")
    class Input(serializers.Serializer):
        report = serializers.DictField()
        system_description = serializers.DictField()

    @extend_schema(summary="A runner host reports its hardware", request=Input, responses={200: dict})
    def post(self, request: Request) -> Response:
        host = self.host(request)
        services.runner_host_record_report(host=host, **self.input(request))
        return Response({"name": host.name, "pool": host.pool, "queue": host.queue})


class JobHeartbeatApi(RunnerApi):
    @extend_schema(
        summary="A runner's heartbeat; the answer says whether to stop",
        request=None,
        responses={200: RUNNER_ANSWER},
    )
    def post(self, request: Request, job_id: str) -> Response:
        job = self.job(request, job_id)
        return Response(services.job_heartbeat(job=job, host=self.job_host(request, job)))


class JobProgressApi(RunnerApi):
    @extend_schema_serializer(component_name="RunnerProgressInput")
    class Input(serializers.Serializer):
        progress = serializers.DictField(required=False, default=dict)
        log_tail = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, default="")

    @extend_schema(summary="A runner's progress and log tail", request=Input, responses={200: RUNNER_ANSWER})
    def post(self, request: Request, job_id: str) -> Response:
        job = self.job(request, job_id)
        self.job_host(request, job)
        try:
            services.job_record_progress(job=job, **self.input(request))
        except (services.JobStateError, JobTransitionError) as exc:
            return _refused(exc, job, cancel=True)
        return Response({"status": job.status, "cancel": False})


class JobBundleApi(RunnerApi):
    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="RunnerBundleInput")
    class Input(serializers.Serializer):
        bundle = serializers.FileField()

    @extend_schema(summary="A runner uploads the job's bundle", request=Input, responses={201: dict})
    def post(self, request: Request, job_id: str) -> Response:
        job = self.job(request, job_id)
        bundle = self.input(request)["bundle"]
        # A wrong host with the job's secret means the secret leaked: job_accept_bundle fails the job.
        host = self.named_host(request)
        try:
            submission = services.job_accept_bundle(
                job=job, host=host, bundle=bundle, bundle_name=bundle.name
            )
        except services.BundleRefused as exc:
            detail = "The bundle does not match the job; the job failed."
            return Response({"detail": detail, "reasons": exc.reasons, "status": job.status}, status=422)
        except (services.JobStateError, JobTransitionError) as exc:
            return _refused(exc, job)
        return Response({"submission": str(submission.pk), "status": "finished"}, status=201)


class JobFailureApi(RunnerApi):
    @extend_schema_serializer(component_name="RunnerFailureInput")
    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=4000)

    @extend_schema(summary="A runner reports that the job failed", request=Input, responses={200: dict})
    def post(self, request: Request, job_id: str) -> Response:
        job = self.job(request, job_id)
        self.job_host(request, job)
        try:
            job = services.job_fail(job=job, reason=self.input(request)["reason"])
        except (services.JobStateError, JobTransitionError) as exc:
            return _refused(exc, job)
        return Response({"status": job.status})


def _refused(exc: Exception, job: Job, **more: Any) -> Response:
    """A call the job's status does not allow: 409, saying the status the job is in."""
    return Response({"detail": str(exc), "status": job.status, **more}, status=409)
