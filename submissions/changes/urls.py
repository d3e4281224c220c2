"""Routes of the withdraw and correct pages, included by submissions/review/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:submission_id>/withdraw/", views.submission_withdraw, name="withdraw"),
    path("<uuid:submission_id>/correct/", views.submission_correct, name="correct"),
]
