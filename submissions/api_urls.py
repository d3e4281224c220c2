from django.urls import path

from .api import SubmissionBundleApi, SubmissionDetailApi, SubmissionListCreateApi
from .changes.api import SubmissionCorrectionApi, SubmissionWithdrawApi
from .findings_api import SubmissionFindingsApi

urlpatterns = [
    path("submissions/", SubmissionListCreateApi.as_view(), name="api-submission-list"),
    path("submissions/<uuid:submission_id>/", SubmissionDetailApi.as_view(), name="api-submission-detail"),
    path(
        "submissions/<uuid:submission_id>/findings/",
        SubmissionFindingsApi.as_view(),
        name="api-submission-findings",
    ),
    path(
        "submissions/<uuid:submission_id>/bundle/",
        SubmissionBundleApi.as_view(),
        name="api-submission-bundle",
    ),
    path(
        "submissions/<uuid:submission_id>/withdraw/",
        SubmissionWithdrawApi.as_view(),
        name="api-submission-withdraw",
    ),
    path(
        "submissions/<uuid:submission_id>/corrections/",
        SubmissionCorrectionApi.as_view(),
        name="api-submission-corrections",
    ),
]
