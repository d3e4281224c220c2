"""The call a cluster's login node makes about a job: what its scheduler (Slurm) says of it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors
from .api import RunnerApi
from .scheduler import SchedulerReportError, job_record_scheduler

SCHEDULER_ANSWER = inline_serializer(
    "RunnerSchedulerAnswer",
    {
        "status": serializers.CharField(),
        "cancel": serializers.BooleanField(),
        "scheduler": serializers.DictField(),
    },
)


class JobSchedulerApi(RunnerApi):
    @extend_schema_serializer(component_name="RunnerSchedulerInput")
    class Input(serializers.Serializer):
        scheduler = serializers.ChoiceField(choices=["slurm"])
        state = serializers.CharField(max_length=64)
        job_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
        exit_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
        time_limit = serializers.CharField(max_length=32, required=False, allow_blank=True)
        nodes = serializers.CharField(max_length=200, required=False, allow_blank=True)
        log_tail = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    @extend_schema(
        summary="A cluster's login node reports the scheduler's state of the job",
        request=Input,
        responses={200: SCHEDULER_ANSWER},
    )
    def post(self, request: Request, job_id: str) -> Response:
        job = self.job(request, job_id)
        report = self.input(request)
        host_token = request.headers.get("X-Runner-Host-Token")
        host = selectors.runner_host_for_token(host_token) if host_token else None
        try:
            answer = job_record_scheduler(job=job, report=dict(report), host=host)
        except SchedulerReportError as exc:
            return Response({"detail": str(exc)}, status=400)
        return Response(answer)
