"""The admin of the review models: searchable, filterable, logs read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.models import StatusEvent, Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


def test_it_lists_and_searches_webhooks_without_their_secret(client, admin, org):
    Webhook.objects.create(organization=org, url="https://ci.example.org/hook", secret="topsecret" * 4)
    client.force_login(admin)
    response = client.get(reverse("admin:submissions_webhook_changelist"), {"q": "ci.example"})
    assert response.status_code == 200
    assert "ci.example.org/hook" in response.content.decode()
    change = client.get(reverse("admin:submissions_webhook_change", args=[Webhook.objects.get().pk]))
    assert "topsecret" not in change.content.decode()


def test_it_shows_the_audit_log_read_only(client, admin, pending):
    client.force_login(admin)
    event = StatusEvent.objects.filter(submission=pending).last()
    listing = client.get(reverse("admin:submissions_statusevent_changelist"), {"q": "Validation passed"})
    assert listing.status_code == 200 and "1 status event" in listing.content.decode()
    change_url = reverse("admin:submissions_statusevent_change", args=[event.pk])
    assert client.post(change_url, {"reason": "rewritten"}).status_code == 403
    assert client.get(reverse("admin:submissions_statusevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.reason == "Validation passed."


def test_it_shows_deliveries_read_only(client, admin, org):
    webhook = Webhook.objects.create(organization=org, url="https://ci.example.org/hook", secret="s" * 64)
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="submission.published", attempt=1, payload={}, status_code=500
    )
    client.force_login(admin)
    listing = client.get(reverse("admin:submissions_webhookdelivery_changelist"), {"succeeded__exact": "0"})
    assert listing.status_code == 200 and "submission.published" in listing.content.decode()
    url = reverse("admin:submissions_webhookdelivery_delete", args=[delivery.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()
