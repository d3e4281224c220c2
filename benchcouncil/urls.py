from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from benchcouncil.docs import bundle_format
from benchcouncil.health import healthz, readyz
from benchcouncil.login_throttle import login
from runners import reproduction_urls
from submissions.accounts import api_token, password_reset, signup, signup_activate
from submissions.review import urls as review_urls

urlpatterns = [
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
    path("submissions/", include("submissions.urls")),
    path("runners/", include("runners.urls")),
    # The review pages, with the reproduction requests that runners answers, in one namespace.
    path("review/", include((review_urls.urlpatterns + reproduction_urls.urlpatterns, review_urls.app_name))),
    path("", include("ranking.urls")),
]
