from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("", views.my_submissions, name="mine"),
    path("new/", views.submission_new, name="new"),
    path("<uuid:submission_id>/", views.submission_detail, name="detail"),
    path("<uuid:submission_id>/bundle/", views.submission_bundle, name="bundle"),
]
