"""Admin for the review models: webhooks, their delivery log, the audit log.

Logs are read-only here: a delivery attempt or a status event, once written, is history.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from benchcouncil.admin import ReadOnlyAdmin
from benchcouncil.auth import signed_in_user
from submissions.models import Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "active", "events", "created_at"]
    list_filter = ["active", "organization"]
    search_fields = ["url", "organization__name"]
    # The secret is shown once, to the manager who creates the webhook, never in the admin.
    exclude = ["secret"]
    readonly_fields = ["created_by", "created_at"]
    raw_id_fields = ["organization"]
    # An address typed without a scheme is https (Django 6's default; 5.x would assume http).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        if not obj.secret:
            obj.secret = secrets.token_hex(32)
            obj.created_by = signed_in_user(request)  # the admin lets staff in only
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "webhook", "attempt", "status_code", "succeeded", "duration_ms", "created_at"]
    list_filter = ["succeeded", "event", "webhook__organization"]
    search_fields = ["webhook__url", "submission__id", "delivery_id", "error"]
    date_hierarchy = "created_at"
