from django.urls import path

from . import system_views, views

app_name = "ranking"

urlpatterns = [
    path("", views.home, name="home"),
    path("leaderboards/<slug:suite>/<slug:benchmark>/<slug:level>/", views.leaderboard, name="leaderboard"),
    path("systems/", system_views.systems, name="systems"),
    path("systems/<slug:organization>/<slug:system_name>/", system_views.system, name="system"),
    path("compare/", system_views.compare, name="compare"),
]
