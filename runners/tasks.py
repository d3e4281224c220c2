"""Web-side Celery tasks of the runners app: thin wrappers that call a service.

The runner-side task (runners.execute_job) is in runners/worker/tasks.py and is registered
only in the runner hosts' Celery app.
"""

from celery import shared_task

from benchcouncil.task_names import SWEEP_LOST_JOBS

from .services import job_sweep_lost


@shared_task(name=SWEEP_LOST_JOBS, acks_late=True, reject_on_worker_lost=True)
def sweep_lost_jobs() -> int:
    return len(job_sweep_lost())
