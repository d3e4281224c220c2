"""Email to the submitter on every status change of their submission."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from benchcouncil.task_names import NOTIFY_STATUS_CHANGE

from .models import StatusEvent

logger = logging.getLogger(__name__)


def submission_url(submission_id: object) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("submissions:detail", args=[submission_id])


def notification_send_status_email(*, event_id: int) -> bool:
    """Tell the submission's owner where it went and why; False when they have no address."""
    event = StatusEvent.objects.select_related("submission__owner", "submission__benchmark").get(pk=event_id)
    submission = event.submission
    if not submission.owner.email:
        logger.info("submission %s: owner has no email address, no notification", submission.pk)
        return False
    context = {
        "submission": submission,
        "event": event,
        # Staff-only notes stay staff-only: the mail says where it went, not the private why.
        "reason": event.reason if event.public else "",
        "url": submission_url(submission.pk),
    }
    subject = f"[BenchCouncil Rankings] {submission.title}: {event.get_to_status_display()}"
    body = render_to_string("review/email/status_changed.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submission.owner.email])
    return True


@shared_task(
    name=NOTIFY_STATUS_CHANGE, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_status_change(event_id: int) -> None:
    notification_send_status_email(event_id=event_id)
