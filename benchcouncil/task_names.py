"""Every Celery task's name, defined once: the tasks register under these and callers queue by them.

Plain strings with no imports of the apps, so that settings (the beat schedule) and any app can
name a task without importing the module that defines it.
"""

from runners.broker import EXECUTE_JOB

VALIDATE_SUBMISSION = "submissions.validate"
SWEEP_STUCK_SUBMISSIONS = "submissions.sweep_stuck"
NOTIFY_STATUS_CHANGE = "submissions.notify_status_change"
DELIVER_WEBHOOK = "submissions.deliver_webhook"
RECOMPUTE_LEADERBOARD = "ranking.recompute_leaderboard"
SWEEP_LOST_JOBS = "runners.sweep_lost_jobs"

__all__ = [
    "DELIVER_WEBHOOK",
    "EXECUTE_JOB",
    "NOTIFY_STATUS_CHANGE",
    "RECOMPUTE_LEADERBOARD",
    "SWEEP_LOST_JOBS",
    "SWEEP_STUCK_SUBMISSIONS",
    "VALIDATE_SUBMISSION",
]
