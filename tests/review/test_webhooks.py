"""Outbound webhooks, delivered to a real HTTP server on 127.0.0.1 that checks the signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchcouncil.celery import app as celery_app
from submissions.models import Webhook, WebhookDelivery
from submissions.services import submission_transition
from submissions.states import Status
from submissions.webhooks import (
    DELIVERY_HEADER,
    EXCERPT_CHARS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookDeliveryError,
    deliver_webhook,
    webhook_create,
)

pytestmark = pytest.mark.django_db


@dataclass
class Receiver:
    """What a CI pipeline would run: verify each POST's signature, answer with a status."""

    secret: str = ""
    # Status codes to answer, in order; 200 once they run out.
    answers: list[int] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = "sha256=" + hmac.new(state.secret.encode(), body, hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(expected, self.headers.get(SIGNATURE_HEADER, ""))
            state.received.append(
                {
                    "valid": valid,
                    "body": json.loads(body),
                    "timestamp": self.headers.get(TIMESTAMP_HEADER),
                    "delivery": self.headers.get(DELIVERY_HEADER),
                }
            )
            code = 401 if not valid else (state.answers.pop(0) if state.answers else 200)
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"ok" if code == 200 else f"failed with {code}".encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/benchcouncil"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def retries_run_eagerly() -> Iterator[None]:
    # Eager tasks that propagate errors raise Retry instead of retrying; a worker retries,
    # and so does an eager task that does not propagate.
    before = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = before


@pytest.fixture
def local_webhooks(settings) -> None:
    # Loopback is refused in production; the test endpoint lives there.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True


def _hook(org, receiver, events=()) -> Webhook:
    webhook, secret = webhook_create(organization=org, url=receiver.url, events=list(events), created_by=None)
    receiver.secret = secret
    return webhook


def _publish(submission, reviewer, capture):
    with capture(execute=True):
        submission_transition(submission=submission, to=Status.PUBLISHED, actor=reviewer, reason="Checked.")


def test_it_posts_a_signed_payload(
    local_webhooks, receiver, org, pending, reviewer, django_capture_on_commit_callbacks
):
    webhook = _hook(org, receiver)
    _publish(pending, reviewer, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got["valid"]
    assert got["body"]["event"] == "submission.published"
    assert got["body"]["submission"]["id"] == str(pending.pk)
    assert got["body"]["submission"]["status"] == Status.PUBLISHED
    assert got["body"]["submission"]["previous_status"] == Status.AWAITING_REVIEW
    assert got["body"]["submission"]["url"].endswith(f"/submissions/{pending.pk}/")
    assert got["body"]["reason"] == "Checked."
    assert got["timestamp"] == str(got["body"]["timestamp"])
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert delivery.succeeded and delivery.status_code == 200 and delivery.attempt == 1
    assert delivery.response_excerpt == "ok" and delivery.duration_ms > 0
    assert str(delivery.delivery_id) == got["delivery"]


def test_it_retries_a_failing_endpoint_until_it_succeeds(
    local_webhooks, receiver, org, pending, reviewer, django_capture_on_commit_callbacks
):
    webhook = _hook(org, receiver)
    receiver.answers = [500, 503]
    _publish(pending, reviewer, django_capture_on_commit_callbacks)
    assert [r["valid"] for r in receiver.received] == [True, True, True]
    attempts = list(WebhookDelivery.objects.filter(webhook=webhook).order_by("attempt"))
    assert [(d.attempt, d.status_code, d.succeeded) for d in attempts] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert attempts[0].response_excerpt == "failed with 500"
    # Every attempt of one delivery carries the same id, so the receiver can drop repeats.
    assert len({r["delivery"] for r in receiver.received}) == 1


def test_it_gives_up_after_its_retries(local_webhooks, receiver, org, pending, reviewer):
    webhook = _hook(org, receiver)
    receiver.answers = [500] * 20
    submission_transition(submission=pending, to=Status.REJECTED, actor=reviewer, reason="No.")
    event = pending.events.last()
    result = deliver_webhook.delay(webhook.pk, event.pk, "00000000-0000-0000-0000-000000000001")
    assert isinstance(result.result, WebhookDeliveryError)
    assert WebhookDelivery.objects.filter(webhook=webhook).count() == deliver_webhook.max_retries + 1
    assert not WebhookDelivery.objects.filter(webhook=webhook, succeeded=True).exists()


def test_it_backs_off_exponentially():
    assert WebhookDeliveryError in deliver_webhook.autoretry_for
    assert deliver_webhook.retry_backoff is True and deliver_webhook.retry_backoff_max == 600


def test_it_logs_a_connection_error(local_webhooks, org, pending, reviewer):
    webhook, _ = webhook_create(organization=org, url="http://127.0.0.1:9/closed", events=[], created_by=None)
    submission_transition(submission=pending, to=Status.REJECTED, actor=reviewer, reason="No.")
    deliver_webhook.delay(webhook.pk, pending.events.last().pk, "00000000-0000-0000-0000-000000000002")
    delivery = WebhookDelivery.objects.filter(webhook=webhook).first()
    assert delivery.status_code is None and "refused" in delivery.error.lower()


def test_it_sends_only_the_events_subscribed_to(
    local_webhooks, receiver, org, pending, reviewer, django_capture_on_commit_callbacks
):
    _hook(org, receiver, events=[Status.REJECTED])
    _publish(pending, reviewer, django_capture_on_commit_callbacks)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_it_skips_inactive_webhooks_and_other_organizations(
    local_webhooks, receiver, org, other_org, pending, reviewer, django_capture_on_commit_callbacks
):
    webhook = _hook(org, receiver)
    webhook.active = False
    webhook.save()
    _hook(other_org, receiver)
    _publish(pending, reviewer, django_capture_on_commit_callbacks)
    assert receiver.received == []


def test_it_keeps_staff_only_notes_out_of_the_payload(
    local_webhooks, receiver, org, pending, reviewer, django_capture_on_commit_callbacks
):
    _hook(org, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        submission_transition(
            submission=pending, to=Status.REJECTED, actor=reviewer, reason="Internal.", public=False
        )
    assert receiver.received[0]["body"]["reason"] == ""


def test_it_refuses_private_addresses_by_default(
    receiver, org, pending, reviewer, django_capture_on_commit_callbacks
):
    webhook = _hook(org, receiver)
    _publish(pending, reviewer, django_capture_on_commit_callbacks)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert not delivery.succeeded and "non-public" in delivery.error


def test_it_follows_no_redirect_ignores_proxies_and_reads_a_bounded_answer(
    local_webhooks, org, pending, reviewer, monkeypatch
):
    hits: list[str] = []

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.end_headers()
            self.wfile.write(b"x" * (EXCERPT_CHARS * 4))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # A proxy from the environment would be a way around the checked address: it is not used.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        webhook, _ = webhook_create(organization=org, url=url, events=[], created_by=None)
        submission_transition(submission=pending, to=Status.REJECTED, actor=reviewer, reason="No.")
        deliver_webhook.delay(webhook.pk, pending.events.last().pk, "00000000-0000-0000-0000-000000000003")
    finally:
        server.shutdown()
        server.server_close()
    first = WebhookDelivery.objects.filter(webhook=webhook).order_by("attempt").first()
    assert first.status_code == 302 and not first.succeeded
    assert first.response_excerpt == "x" * EXCERPT_CHARS
    assert "/elsewhere" not in hits and hits[0] == "/hook"
