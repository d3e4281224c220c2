"""The API's routes, served under /api/v1/ (benchcouncil/urls.py).

One table for every app: API names are global (reverse("api-submission-detail")), and the
review API's paths gather views of submissions and of runners.
"""

from django.urls import URLPattern, URLResolver, include, path

from ranking.api import BenchmarkListApi, LeaderboardApi, LeaderboardCsvApi
from runners import api as runner_api
from runners.api_scheduler import JobSchedulerApi
from runners.reproduction_api import ReviewReproductionApi
from submissions.api import SubmissionBundleApi, SubmissionDetailApi, SubmissionListCreateApi
from submissions.changes.api import SubmissionCorrectionApi, SubmissionWithdrawApi
from submissions.findings_api import SubmissionFindingsApi
from submissions.review import review_api

leaderboard = [
    path("", LeaderboardApi.as_view(), name="api-leaderboard"),
    path("csv/", LeaderboardCsvApi.as_view(), name="api-leaderboard-csv"),
]

submission = [
    path("", SubmissionDetailApi.as_view(), name="api-submission-detail"),
    path("findings/", SubmissionFindingsApi.as_view(), name="api-submission-findings"),
    path("bundle/", SubmissionBundleApi.as_view(), name="api-submission-bundle"),
    path("withdraw/", SubmissionWithdrawApi.as_view(), name="api-submission-withdraw"),
    path("corrections/", SubmissionCorrectionApi.as_view(), name="api-submission-corrections"),
]

model_submission = [
    path("", runner_api.ModelSubmissionDetailApi.as_view(), name="api-model-submission-detail"),
    path("cancel/", runner_api.ModelSubmissionCancelApi.as_view(), name="api-model-submission-cancel"),
]

# What a runner host reports on a job it runs.
runner_job = [
    path("heartbeat/", runner_api.JobHeartbeatApi.as_view(), name="api-runner-heartbeat"),
    path("progress/", runner_api.JobProgressApi.as_view(), name="api-runner-progress"),
    path("bundle/", runner_api.JobBundleApi.as_view(), name="api-runner-bundle"),
    path("failure/", runner_api.JobFailureApi.as_view(), name="api-runner-failure"),
    path("scheduler/", JobSchedulerApi.as_view(), name="api-runner-scheduler"),
]

# For reviewers: each submission's review data, the decision, and the reproductions asked for.
review_submission = [
    path("", review_api.ReviewDetailApi.as_view(), name="api-review-detail"),
    path("decision/", review_api.ReviewDecisionApi.as_view(), name="api-review-decision"),
    path("reproductions/", ReviewReproductionApi.as_view(), name="api-review-reproductions"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("benchmarks/", BenchmarkListApi.as_view(), name="api-benchmarks"),
    path("leaderboards/<slug:suite>/<slug:benchmark>/<slug:level>/", include(leaderboard)),
    path("submissions/", SubmissionListCreateApi.as_view(), name="api-submission-list"),
    path("submissions/<uuid:submission_id>/", include(submission)),
    path("model-submissions/", runner_api.ModelSubmissionCreateApi.as_view(), name="api-model-submissions"),
    path("model-submissions/<uuid:job_id>/", include(model_submission)),
    path("runner/hosts/report/", runner_api.HostReportApi.as_view(), name="api-runner-host-report"),
    path("runner/jobs/<uuid:job_id>/", include(runner_job)),
    path("review/queue/", review_api.ReviewQueueApi.as_view(), name="api-review-queue"),
    path("review/decisions/", review_api.ReviewBulkDecisionApi.as_view(), name="api-review-bulk-decision"),
    path("review/submissions/<uuid:submission_id>/", include(review_submission)),
]
