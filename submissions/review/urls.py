from django.urls import path

from submissions import webhook_urls
from submissions.changes import urls as changes_urls

from . import views

app_name = "review"

urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("decisions/", views.review_bulk_decide, name="bulk-decide"),
    path("<uuid:submission_id>/", views.review_detail, name="detail"),
    path("<uuid:submission_id>/decide/", views.review_decide, name="decide"),
    # Not review: the submitter's withdraw and correct pages and the webhook pages, whose
    # paths and names have always been under /review/ and review:.
    *changes_urls.urlpatterns,
    *webhook_urls.urlpatterns,
]
