"""Outbound webhooks: each organization's endpoints hear about its submissions' status changes.

A delivery is a JSON POST signed with HMAC-SHA256 over the exact body, sent by a Celery
task that retries with exponential backoff; every attempt is logged as a WebhookDelivery.
Receivers verify `X-BenchCouncil-Signature: sha256=<hex>` with the secret they were shown
once, and may reject bodies whose `timestamp` is old (it is inside the signed body).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import User

from benchcouncil.task_names import DELIVER_WEBHOOK
from benchcouncil.tasks import enqueue
from benchcouncil_http import Answer, Retrying, StatusError, TransportError, bytes_body, send, why

from .models import Organization, StatusEvent, Webhook, WebhookDelivery
from .notifications import submission_url
from .webhook_network import Destination, DestinationRefused, destination_resolve, pinned_session

USER_AGENT = "BenchCouncil-Rankings-Webhook/1"
SIGNATURE_HEADER = "X-BenchCouncil-Signature"
TIMESTAMP_HEADER = "X-BenchCouncil-Timestamp"
DELIVERY_HEADER = "X-BenchCouncil-Delivery"
EXCERPT_CHARS = 2000
TIMEOUT_S = 10


class WebhookDeliveryError(Exception):
    """A failed attempt worth retrying: a network error or a non-2xx answer."""


def webhook_create(
    *, organization: Organization, url: str, events: list[str], created_by: User | None
) -> tuple[Webhook, str]:
    """Create an endpoint; returns it with its secret, which is shown to the manager this once."""
    secret = secrets.token_hex(32)
    webhook = Webhook.objects.create(
        organization=organization, url=url, secret=secret, events=sorted(set(events)), created_by=created_by
    )
    return webhook, secret


def webhook_sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(webhook_sign(secret, body), signature)


def webhook_payload(event: StatusEvent, *, timestamp: int) -> dict[str, Any]:
    submission = event.submission
    return {
        "event": f"submission.{event.to_status}",
        "timestamp": timestamp,
        "submission": {
            "id": str(submission.pk),
            "status": event.to_status,
            "previous_status": event.from_status,
            "url": submission_url(submission.pk),
            "benchmark": submission.benchmark.slug if submission.benchmark else None,
            "level": submission.level.slug if submission.level else None,
        },
        "reason": event.reason if event.public else "",
        "at": event.created_at.isoformat(),
    }


def webhooks_dispatch(*, event: StatusEvent) -> int:
    """Queue one delivery per active webhook of the organization that wants this status."""
    organization_id = event.submission.organization_id
    if organization_id is None:
        return 0
    queued = 0
    for webhook in Webhook.objects.filter(organization_id=organization_id, active=True):
        if webhook.wants(event.to_status):
            enqueue(DELIVER_WEBHOOK, webhook.pk, event.pk, str(uuid.uuid4()))
            queued += 1
    return queued


def webhook_deliver(*, webhook_id: int, event_id: int, delivery_id: str, attempt: int) -> WebhookDelivery:
    """One signed POST, logged whatever happens; raises WebhookDeliveryError to be retried."""
    webhook = Webhook.objects.get(pk=webhook_id)
    event = StatusEvent.objects.select_related("submission__benchmark", "submission__level").get(pk=event_id)
    timestamp = int(time.time())
    payload = webhook_payload(event, timestamp=timestamp)
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    delivery = WebhookDelivery(
        webhook=webhook,
        submission=event.submission,
        event=payload["event"],
        delivery_id=delivery_id,
        attempt=attempt,
        payload=payload,
    )
    started, permanent = time.monotonic(), False
    try:
        destination = destination_resolve(webhook.url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS)
        answer = _post(destination, body, _headers(webhook, body, timestamp, delivery_id))
        delivery.status_code = answer.status
        delivery.response_excerpt = _excerpt(answer.body)
    except DestinationRefused as exc:
        delivery.error, permanent = str(exc), True
    except (TransportError, OSError) as exc:
        delivery.error = why(exc)[:EXCERPT_CHARS]
    delivery.duration_ms = (time.monotonic() - started) * 1000
    delivery.succeeded = delivery.status_code is not None and 200 <= delivery.status_code < 300
    delivery.save()
    if delivery.succeeded or permanent:
        return delivery
    raise WebhookDeliveryError(delivery.error or f"HTTP {delivery.status_code}")


def _post(destination: Destination, body: bytes, headers: dict[str, str]) -> Answer:
    """One attempt, no redirect followed, at most EXCERPT_CHARS of the answer read: the task
    retries, and logs each attempt."""
    with pinned_session(destination, user_agent=USER_AGENT) as http:
        try:
            return send(
                http,
                "POST",
                destination.url,
                timeout=TIMEOUT_S,
                retrying=Retrying(retries=0),
                body=bytes_body(body, "application/json"),
                headers=headers,
                idempotent=False,
                max_answer_bytes=EXCERPT_CHARS,
            )
        except StatusError as exc:
            return exc.answer


def _headers(webhook: Webhook, body: bytes, timestamp: int, delivery_id: str) -> dict[str, str]:
    return {
        SIGNATURE_HEADER: webhook_sign(webhook.secret, body),
        TIMESTAMP_HEADER: str(timestamp),
        DELIVERY_HEADER: delivery_id,
    }


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


@shared_task(
    bind=True,
    name=DELIVER_WEBHOOK,
    acks_late=True,
    autoretry_for=(WebhookDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def deliver_webhook(self: Any, webhook_id: int, event_id: int, delivery_id: str) -> None:
    webhook_deliver(
        webhook_id=webhook_id, event_id=event_id, delivery_id=delivery_id, attempt=self.request.retries + 1
    )
