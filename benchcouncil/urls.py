from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from benchcouncil.docs import bundle_format
from benchcouncil.health import healthz, readyz
from benchcouncil.login_throttle import login
from ranking import system_views
from ranking import views as ranking_views
from runners import reproduction_views
from runners import views as runner_views
from submissions import views as submission_views
from submissions import webhook_views
from submissions.accounts import api_token, password_reset, signup, signup_activate
from submissions.changes import views as change_views
from submissions.review import views as review_views

# Each table is one namespace, declared where it is included below, in the same order.
submission_pages = [
    path("", submission_views.my_submissions, name="mine"),
    path("new/", submission_views.submission_new, name="new"),
    path("<uuid:submission_id>/", submission_views.submission_detail, name="detail"),
    path("<uuid:submission_id>/bundle/", submission_views.submission_bundle, name="bundle"),
]

job_pages = [
    path("", runner_views.job_list, name="job-list"),
    path("new/", runner_views.job_new, name="job-new"),
    path("<uuid:job_id>/", runner_views.job_detail, name="job-detail"),
    path("<uuid:job_id>/cancel/", runner_views.job_cancel, name="job-cancel"),
]

# A submission under review: the reviewer's pages and the reproductions they ask runners for,
# with the submitter's withdraw and correct pages, whose paths and names have always been
# under /review/ and review:.
reviewed_submission_pages = [
    path("", review_views.review_detail, name="detail"),
    path("decide/", review_views.review_decide, name="decide"),
    path("withdraw/", change_views.submission_withdraw, name="withdraw"),
    path("correct/", change_views.submission_correct, name="correct"),
    path("reproduce/", reproduction_views.review_reproduce, name="reproduce"),
    path(
        "reproductions/refresh/",
        reproduction_views.review_reproductions_refresh,
        name="reproductions-refresh",
    ),
]

# The webhook pages are not review either, but they too have always been under review:.
review_pages: list[URLPattern | URLResolver] = [
    path("", review_views.review_queue, name="queue"),
    path("decisions/", review_views.review_bulk_decide, name="bulk-decide"),
    path("<uuid:submission_id>/", include(reviewed_submission_pages)),
    path("organizations/<slug:slug>/webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("webhooks/<int:webhook_id>/toggle/", webhook_views.webhook_toggle, name="webhook-toggle"),
]

ranking_pages = [
    path("", ranking_views.home, name="home"),
    path(
        "leaderboards/<slug:suite>/<slug:benchmark>/<slug:level>/",
        ranking_views.leaderboard,
        name="leaderboard",
    ),
    path("systems/", system_views.systems, name="systems"),
    path("systems/<slug:organization>/<slug:system_name>/", system_views.system, name="system"),
    path("compare/", system_views.compare, name="compare"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/token/", api_token, name="api-token"),
    # Before django.contrib.auth.urls, whose own "login" it replaces: failed attempts are limited.
    path("accounts/login/", login, name="login"),
    # Before django.contrib.auth.urls too: reset mails are limited per address and per email.
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/activate/<uidb64>/<token>/", signup_activate, name="signup-activate"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/", include("benchcouncil.api_urls")),
    # The path findings link to (submissions/bundles/layout.py format_url).
    path("docs/bundle-format/", bundle_format, name="docs-bundle-format"),
    path("submissions/", include((submission_pages, "submissions"))),
    path("runners/jobs/", include((job_pages, "runners"))),
    path("review/", include((review_pages, "review"))),
    path("", include((ranking_pages, "ranking"))),
]
