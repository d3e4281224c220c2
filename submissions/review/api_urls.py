from django.urls import path

from . import api

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
]
