"""/review/organizations/<slug>/webhooks/: an organization's managers add and disable webhooks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.models import Webhook
from submissions.states import Status

pytestmark = pytest.mark.django_db


def _url(org):
    return reverse("review:webhooks", args=[org.slug])


def test_it_shows_the_secret_once_on_creation(client, manager, org):
    client.force_login(manager)
    response = client.post(_url(org), {"url": "https://ci.example.org/hook", "events": [Status.PUBLISHED]})
    assert response.status_code == 201
    webhook = Webhook.objects.get(organization=org)
    assert webhook.url == "https://ci.example.org/hook" and webhook.events == [Status.PUBLISHED]
    assert webhook.created_by == manager and len(webhook.secret) == 64
    assert webhook.secret in response.content.decode()
    assert webhook.secret not in client.get(_url(org)).content.decode()


def test_it_disables_and_enables_a_webhook(client, manager, org):
    webhook = Webhook.objects.create(organization=org, url="https://ci.example.org/h", secret="s" * 64)
    client.force_login(manager)
    assert client.post(reverse("review:webhook-toggle", args=[webhook.pk])).status_code == 302
    webhook.refresh_from_db()
    assert not webhook.active
    client.post(reverse("review:webhook-toggle", args=[webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.active


def test_it_rejects_a_url_that_is_not_http(client, manager, org):
    client.force_login(manager)
    response = client.post(_url(org), {"url": "ftp://ci.example.org/hook"})
    assert response.status_code == 200 and not Webhook.objects.exists()


@pytest.mark.parametrize("who", ["owner", "member", "outsider", "reviewer"])
def test_it_is_for_the_organizations_managers_and_answers_others_404(client, org, who, request):
    webhook = Webhook.objects.create(organization=org, url="https://ci.example.org/h", secret="s" * 64)
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(org)).status_code == 404
    assert client.post(_url(org), {"url": "https://evil.example.org/"}).status_code == 404
    assert client.post(reverse("review:webhook-toggle", args=[webhook.pk])).status_code == 404
    assert Webhook.objects.count() == 1 and Webhook.objects.get().active


def test_it_lets_a_manager_of_another_organization_nothing(client, other_org, org, django_user_model):
    from submissions.models import Membership

    other_manager = django_user_model.objects.create_user("other-manager")
    Membership.objects.create(organization=other_org, user=other_manager, role=Membership.Role.MANAGER)
    client.force_login(other_manager)
    assert client.get(_url(org)).status_code == 404
    assert client.get(_url(other_org)).status_code == 200
