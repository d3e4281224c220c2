"""Routes of the webhook pages, included by submissions/review/urls.py."""

from django.urls import path

from . import webhook_views

urlpatterns = [
    path("organizations/<slug:slug>/webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("webhooks/<int:webhook_id>/toggle/", webhook_views.webhook_toggle, name="webhook-toggle"),
]
