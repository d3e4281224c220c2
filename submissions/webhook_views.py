"""The webhook page of an organization, for its managers: add a webhook, turn one on or off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from benchcouncil.auth import signed_in_user
from benchcouncil.form_throttle import throttled

from .forms import WebhookForm
from .models import Membership, Organization, Webhook
from .selectors import organization_webhooks, user_is_member
from .webhooks import webhook_create


def _managed_organization(request: HttpRequest, slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    # 404 for an unknown slug and for someone who does not manage it alike: which
    # organizations (and webhooks) exist is not told to outsiders.
    if organization is None or not (
        request.user.is_superuser
        or user_is_member(request.user, organization.pk, role=Membership.Role.MANAGER)
    ):
        raise Http404("No such organization among those you manage.")
    return organization


@login_required
@throttled("webhooks", what="webhook changes")
def webhook_list(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _managed_organization(request, slug)
    form = WebhookForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        created, secret = webhook_create(
            organization=organization,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            created_by=signed_in_user(request),
        )
        form = WebhookForm()
    context = {
        "organization": organization,
        "webhooks": organization_webhooks(organization.pk),
        "form": form,
        "created": created,
        # Rendered in this response only, never stored in a page or a message.
        "secret": secret,
    }
    return render(request, "submissions/webhooks.html", context, status=201 if created else 200)


@require_POST
@login_required
def webhook_toggle(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = Webhook.objects.select_related("organization").filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404("No such organization among those you manage.")
    _managed_organization(request, webhook.organization.slug)
    webhook.active = not webhook.active
    webhook.save(update_fields=["active"])
    messages.success(request, f"Webhook {webhook.url} {'enabled' if webhook.active else 'disabled'}.")
    return redirect("review:webhooks", slug=webhook.organization.slug)
