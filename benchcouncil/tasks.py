"""Queueing a Celery task: one way, by name, for every app.

By name, so that the caller imports neither the task's module nor its dependencies (the web tier
never imports runner code). With CELERY_TASK_ALWAYS_EAGER (tests, a development server without
a worker) a task this process registers runs in-process, as a worker would run it; a task it
does not register (the runner hosts' job) still goes to the broker: only its hosts can run it.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from celery.exceptions import AlwaysEagerIgnored

logger = logging.getLogger(__name__)


def enqueue(
    name: str, *args: Any, queue: str | None = None, options: dict[str, Any] | None = None, **kwargs: Any
) -> None:
    """Queue the task `name` with `args`/`kwargs`; `options` are Celery's (task_id, time limits).

    Broker errors (kombu's OperationalError, OSError) reach the caller, who knows what a missed
    task costs. The log line names the task, never its arguments (a job's secret is one).
    """
    from .celery import app

    options = dict(options or {})
    if queue is not None:
        options["queue"] = queue
    if app.conf.task_always_eager:
        if name not in app.tasks:
            # A worker imports the apps' task modules when it starts; this process, on first use.
            app.autodiscover_tasks(force=True)
        if name in app.tasks:
            app.tasks[name].apply_async(args=args, kwargs=kwargs, **options)
            return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        app.send_task(name, args=args, kwargs=kwargs, **options)
    logger.debug("queued %s", name)
