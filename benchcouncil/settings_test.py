"""Settings for the test suite: the same settings, with fast hashing and eager tasks.

The services are the real ones the environment names (DATABASE_URL, CELERY_BROKER_URL,
S3_*): tests that need a real worker start one against CELERY_BROKER_URL.
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("BENCHCOUNCIL_VAR_DIR", tempfile.mkdtemp(prefix="benchcouncil-test-"))

from .settings import *  # noqa: E402,F403

# An empty folder of collected static files: the suite does not run collectstatic, and without
# the folder whitenoise warns at every client's first request (tests run with DEBUG off).
STATIC_ROOT = VAR_DIR / "staticfiles"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    "anon": "100000/minute",
    "user": "100000/minute",
    "uploads": "100000/minute",
    "signup": "100000/minute",
    "password_reset": "100000/minute",
    "tokens": "100000/minute",
    "webhooks": "100000/minute",
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared-cache in-memory database: tests with a live server or a
    # worker thread write from two threads, and shared-cache SQLite answers "table is locked"
    # at once instead of waiting for the lock.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
