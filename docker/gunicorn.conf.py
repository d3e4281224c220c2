"""gunicorn's settings in the web image (`gunicorn -c docker/gunicorn.conf.py ...`).

Command-line options override these. With LOG_FORMAT=json gunicorn's own lines (start,
worker restarts, timeouts) are JSON like the application's; requests are logged once, by
the application (benchcouncil.logging), with their request id, so gunicorn's access log is off.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Uploads of large bundles over slow links take a while.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
accesslog = None
errorlog = "-"

if os.environ.get("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "benchcouncil.logging.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }
