"""Outbound webhooks: each organization's endpoints hear about its submissions' status changes.

A delivery is a JSON POST signed with HMAC-SHA256 over the exact body, sent by a Celery
task that retries with exponential backoff; every attempt is logged as a WebhookDelivery.
Receivers verify `X-BenchCouncil-Signature: sha256=<hex>` with the secret they were shown
once, and may reject bodies whose `timestamp` is old (it is inside the signed body).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import User

from .models import Organization, StatusEvent, Webhook, WebhookDelivery
from .notifications import submission_url

DELIVER_TASK = "submissions.deliver_webhook"
SIGNATURE_HEADER = "X-BenchCouncil-Signature"
TIMESTAMP_HEADER = "X-BenchCouncil-Timestamp"
DELIVERY_HEADER = "X-BenchCouncil-Delivery"
EXCERPT_CHARS = 2000
TIMEOUT_S = 10


class WebhookDeliveryError(Exception):
    """A failed attempt worth retrying: a network error or a non-2xx answer."""


class WebhookDestinationError(Exception):
    """An address the service must not call (private network): retrying will not help."""


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
            deliver_webhook.delay(webhook.pk, event.pk, str(uuid.uuid4()))
            queued += 1
    return queued


def _check_destination(url: str) -> None:
    # Endpoints are chosen by organization managers: without this an endpoint on the
    # service's own network could be called, and its answer read in the delivery log.
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookDestinationError(f"Not an http(s) URL: {url}")
    if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise WebhookDeliveryError(f"Cannot resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        if not ipaddress.ip_address(info[4][0]).is_global:
            raise WebhookDestinationError(f"{parts.hostname} resolves to a non-public address.")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead past the destination check: the answer is logged as it is.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


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
        _check_destination(webhook.url)
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            webhook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "BenchCouncil-Rankings-Webhook/1",
                SIGNATURE_HEADER: webhook_sign(webhook.secret, body),
                TIMESTAMP_HEADER: str(timestamp),
                DELIVERY_HEADER: delivery_id,
            },
        )
        with _opener.open(request, timeout=TIMEOUT_S) as response:
            delivery.status_code = response.status
            delivery.response_excerpt = _excerpt(response.read(EXCERPT_CHARS))
    except urllib.error.HTTPError as exc:
        delivery.status_code = exc.code
        delivery.response_excerpt = _excerpt(exc.read(EXCERPT_CHARS))
    except WebhookDestinationError as exc:
        delivery.error, permanent = str(exc), True
    except (OSError, WebhookDeliveryError) as exc:
        delivery.error = str(exc)[:EXCERPT_CHARS] or exc.__class__.__name__
    delivery.duration_ms = (time.monotonic() - started) * 1000
    delivery.succeeded = delivery.status_code is not None and 200 <= delivery.status_code < 300
    delivery.save()
    if delivery.succeeded or permanent:
        return delivery
    raise WebhookDeliveryError(delivery.error or f"HTTP {delivery.status_code}")


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


@shared_task(
    bind=True,
    name=DELIVER_TASK,
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
