from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("decisions/", views.review_bulk_decide, name="bulk-decide"),
    path("<uuid:submission_id>/", views.review_detail, name="detail"),
    path("<uuid:submission_id>/decide/", views.review_decide, name="decide"),
    path("<uuid:submission_id>/withdraw/", views.submission_withdraw, name="withdraw"),
    path("<uuid:submission_id>/correct/", views.submission_correct, name="correct"),
    path("organizations/<slug:slug>/webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:webhook_id>/toggle/", views.webhook_toggle, name="webhook-toggle"),
]
