from django.urls import path

from . import views

app_name = "ranking"

urlpatterns = [
    path("", views.home, name="home"),
    path("leaderboards/<slug:suite>/<slug:benchmark>/<slug:level>/", views.leaderboard, name="leaderboard"),
]
