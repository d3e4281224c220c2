"""The review page's reproduction requests: served under /review/, in the "review" namespace
(benchcouncil/urls.py), next to the review pages that show the checks."""

from django.urls import path

from . import reproduction_views

urlpatterns = [
    path("<uuid:submission_id>/reproduce/", reproduction_views.review_reproduce, name="reproduce"),
    path(
        "<uuid:submission_id>/reproductions/refresh/",
        reproduction_views.review_reproductions_refresh,
        name="reproductions-refresh",
    ),
]
