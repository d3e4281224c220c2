from django.urls import path

from . import api, review_api

urlpatterns = [
    path(
        "submissions/<uuid:submission_id>/withdraw/",
        api.SubmissionWithdrawApi.as_view(),
        name="api-submission-withdraw",
    ),
    path(
        "submissions/<uuid:submission_id>/corrections/",
        api.SubmissionCorrectionApi.as_view(),
        name="api-submission-corrections",
    ),
    # For reviewers: the queue, each submission's review data, and decisions.
    path("review/queue/", review_api.ReviewQueueApi.as_view(), name="api-review-queue"),
    path("review/decisions/", review_api.ReviewBulkDecisionApi.as_view(), name="api-review-bulk-decision"),
    path(
        "review/submissions/<uuid:submission_id>/",
        review_api.ReviewDetailApi.as_view(),
        name="api-review-detail",
    ),
    path(
        "review/submissions/<uuid:submission_id>/decision/",
        review_api.ReviewDecisionApi.as_view(),
        name="api-review-decision",
    ),
]
