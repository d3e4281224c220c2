from django.urls import path

from . import api, api_scheduler, reproduction_api

urlpatterns = [
    path("model-submissions/", api.ModelSubmissionCreateApi.as_view(), name="api-model-submissions"),
    path(
        "model-submissions/<uuid:job_id>/",
        api.ModelSubmissionDetailApi.as_view(),
        name="api-model-submission-detail",
    ),
    path(
        "model-submissions/<uuid:job_id>/cancel/",
        api.ModelSubmissionCancelApi.as_view(),
        name="api-model-submission-cancel",
    ),
    path("runner/hosts/report/", api.HostReportApi.as_view(), name="api-runner-host-report"),
    path("runner/jobs/<uuid:job_id>/heartbeat/", api.JobHeartbeatApi.as_view(), name="api-runner-heartbeat"),
    path("runner/jobs/<uuid:job_id>/progress/", api.JobProgressApi.as_view(), name="api-runner-progress"),
    path("runner/jobs/<uuid:job_id>/bundle/", api.JobBundleApi.as_view(), name="api-runner-bundle"),
    path("runner/jobs/<uuid:job_id>/failure/", api.JobFailureApi.as_view(), name="api-runner-failure"),
    path(
        "runner/jobs/<uuid:job_id>/scheduler/",
        api_scheduler.JobSchedulerApi.as_view(),
        name="api-runner-scheduler",
    ),
    # For reviewers, next to the review API's own paths (submissions/review/api_urls.py).
    path(
        "review/submissions/<uuid:submission_id>/reproductions/",
        reproduction_api.ReviewReproductionApi.as_view(),
        name="api-review-reproductions",
    ),
]
