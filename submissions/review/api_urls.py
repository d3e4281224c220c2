from django.urls import path

from . import review_api

urlpatterns = [
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
