"""Settings, read from the environment.

With no environment at all the service runs on embedded defaults that need no server:
SQLite, the local filesystem for storage and kombu's filesystem transport as the broker.
DATABASE_URL, CELERY_BROKER_URL and S3_BUCKET switch to PostgreSQL, Redis/RabbitMQ and S3.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import plotly
from django.core.exceptions import ImproperlyConfigured

from runners.broker import filesystem_transport_options

from . import task_names
from .env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BENCHCOUNCIL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "catalogue",
    "ranking",
    "submissions",
    "runners",
]

MIDDLEWARE = [
    # First, so that every line logged while answering carries the request's id.
    "benchcouncil.logging.RequestIdMiddleware",
    # Around everything else, so that every answer carries it, the refusals below included.
    "benchcouncil.security_headers.ContentSecurityPolicyMiddleware",
    # Before anything reads a body: an upload over the hard limit is refused here (413).
    "benchcouncil.upload_limit.UploadLimitMiddleware",
    "benchcouncil.params.QueryParameterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "benchcouncil.urls"
WSGI_APPLICATION = "benchcouncil.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    # The leaderboard's board (templates/ranking/*.jinja), where Django's engine is too slow for
    # a 50-row table (ranking/jinja_environment.py); asked for by name with using="jinja2".
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "ranking.jinja_environment.environment"},
    },
]

# --- Database -------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share the file: wait for each other's locks
    # instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
# How long a web process may answer from a board version it has read (ranking/cache.py):
# a board changed by another process (the worker's recompute) shows within this many seconds;
# 0 reads the version on every request, at one database round trip each.
LEADERBOARD_VERSION_TTL_S = env_float("LEADERBOARD_VERSION_TTL_S", 1.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "submissions:mine"
LOGOUT_REDIRECT_URL = "ranking:home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and storage -----------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# plotly.js is served from the pinned plotly package itself: no CDN, so pages work offline,
# and the chart library's version always matches the Python side's.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/plotly", Path(plotly.__file__).parent / "package_data"),
]
MEDIA_ROOT = VAR_DIR / "media"  # never served directly: bundles are private until published

S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("S3_REGION", "us-east-1"),
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Bundles ---------------------------------------------------------------------
# Above BUNDLE_MAX_BYTES a bundle is stored and rejected by the validator with its own
# finding; above UPLOAD_HARD_LIMIT_BYTES the request itself is refused (413) and nothing
# is stored, so one client cannot fill the store.
BUNDLE_MAX_BYTES = env_int("BUNDLE_MAX_BYTES", 200 * 1024 * 1024)
UPLOAD_HARD_LIMIT_BYTES = env_int("UPLOAD_HARD_LIMIT_BYTES", 512 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
# The limit's byte counter first, for every multipart body (benchcouncil/upload_limit.py).
FILE_UPLOAD_HANDLERS = [
    "benchcouncil.upload_limit.HardLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# --- Celery ----------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_transport_options(VAR_DIR)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Runners (our GPU hosts) ---------------------------------------------------------
# Jobs go to the queue `runner.<pool>`; the runner hosts call back to RUNNER_SERVICE_URL.
RUNNER_SERVICE_URL = env_str("RUNNER_SERVICE_URL", SITE_URL)
RUNNER_DEFAULT_POOL = env_str("RUNNER_DEFAULT_POOL", "default")
RUNNER_REPRODUCTION_POOL = env_str("RUNNER_REPRODUCTION_POOL", "")
# A running job whose host sends no heartbeat for this long is lost and re-queued (once).
RUNNER_HEARTBEAT_TIMEOUT_S = env_int("RUNNER_HEARTBEAT_TIMEOUT_S", 120)
RUNNER_MAX_ATTEMPTS = 2
RUNNER_DEFAULT_TIME_LIMIT_S = env_int("RUNNER_DEFAULT_TIME_LIMIT_S", 3600)
RUNNER_MAX_TIME_LIMIT_S = env_int("RUNNER_MAX_TIME_LIMIT_S", 7 * 24 * 3600)
RUNNER_TIME_LIMIT_GRACE_S = env_int("RUNNER_TIME_LIMIT_GRACE_S", 300)
# Whether the runner hosts hold the full data sets; without them only smoke jobs run.
RUNNER_FULL_PROFILE = env_bool("RUNNER_FULL_PROFILE", False)
RUNNER_MODEL_CODE_MAX_BYTES = env_int("RUNNER_MODEL_CODE_MAX_BYTES", 256 * 1024)
# How close a reproduction must come to the original: quality absolute, the rest relative.
REPRODUCTION_TOLERANCE = {"quality": 0.01, "time": 0.10, "per_sample_flops": 0.01}

CELERY_BEAT_SCHEDULE = {
    "runners-sweep-lost-jobs": {"task": task_names.SWEEP_LOST_JOBS, "schedule": 60.0},
}
# A submission left in received/validating this long lost its validation task (a broker
# restart, a dead worker): beat's sweep queues it again (submissions/sweeps.py).
STUCK_SUBMISSION_MINUTES = env_int("STUCK_SUBMISSION_MINUTES", 30)
CELERY_BEAT_SCHEDULE["submissions-sweep-stuck"] = {
    "task": task_names.SWEEP_STUCK_SUBMISSIONS,
    "schedule": float(env_int("STUCK_SUBMISSION_SWEEP_SECONDS", 300)),
}
# beat writes its last-run times here; the images point it at a writable folder.
CELERY_BEAT_SCHEDULE_FILENAME = env_str("CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule"))

# --- Cache -----------------------------------------------------------------------
# Rendered leaderboards (ranking/cache.py) and the API throttles' counters. Without CACHE_URL
# each process keeps its own in memory; that is safe for the boards, whose keys carry a version
# read from the database. CACHE_URL=redis://host:6379/1 shares one cache between processes.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "benchcouncil",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 300)},
        }
    )
}

# --- REST framework -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "benchcouncil.pagination.CheckedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "benchcouncil.throttling.SignedInRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
        "benchcouncil.throttling.AddressScopedRateThrottle",
    ],
    # Scoped rates count per user and per client address; the HTML forms that write count
    # against the same scopes (benchcouncil/form_throttle.py).
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "600/minute"),
        "user": env_str("THROTTLE_USER", "1200/minute"),
        "uploads": env_str("THROTTLE_UPLOADS", "60/hour"),
        "signup": env_str("THROTTLE_SIGNUP", "10/hour"),
        "password_reset": env_str("THROTTLE_PASSWORD_RESET", "5/hour"),
        "tokens": env_str("THROTTLE_TOKENS", "10/hour"),
        "webhooks": env_str("THROTTLE_WEBHOOKS", "30/hour"),
    },
    # How many proxies in front append to X-Forwarded-For: 0 (no proxy) trusts REMOTE_ADDR
    # only; the compose file's nginx makes it 1. Otherwise a client could name its own address.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BenchCouncil Rankings API",
    "DESCRIPTION": (
        "Submit HPC AI500 and AIBench result bundles, follow their validation and review, "
        "and read the leaderboards."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from the sidecar package, served locally: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for the submission status wherever it appears (status, from_status, to_status).
    "ENUM_NAME_OVERRIDES": {"SubmissionStatusEnum": "submissions.states.Status"},
}

# --- Webhooks -------------------------------------------------------------------
# Off: organizations' webhooks may not point at private or loopback addresses (SSRF).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)

# --- Mail ------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "rankings@localhost")

# --- Security (production) ---------------------------------------------------------
# Secure defaults whenever DEBUG is off, so `manage.py check --deploy` passes as configured;
# each one can be relaxed from the environment (docs/deployment.md says when that is safe).
# Behind a TLS-terminating proxy, TRUST_X_FORWARDED_PROTO=1 makes request.is_secure() trust
# the proxy's X-Forwarded-Proto header; without it SECURE_SSL_REDIRECT would loop.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Health probes come over plain HTTP from inside the network (compose, orchestrators); more
# paths (regexes), e.g. runner hosts calling over a private network, from the environment.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", *env_list("SECURE_REDIRECT_EXEMPT", [])]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Only the site's own scripts and styles (benchcouncil/security_headers.py). Images may be
# data: URIs (Swagger UI's icons); nothing may frame the site or post a form elsewhere.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# --- Logging ---------------------------------------------------------------------
# LOG_FORMAT=json writes one JSON object a line (with request_id, or task_id inside a
# Celery task) for a log collector; plain is for people reading a terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "benchcouncil.logging.RequestIdFilter"},
        "no_message_bodies": {"()": "benchcouncil.logging.MessageBodyFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "benchcouncil.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The worker's consumer logs a message it cannot run, body and all: never the body.
    "loggers": {"celery.worker.consumer.consumer": {"filters": ["no_message_bodies"]}},
}
# Celery workers otherwise replace the root logger's handlers with their own plain ones.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
