from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers
        from .review import admin as review_admin  # noqa: F401 - registers the review models
        from .signals import submission_status_changed

        submission_status_changed.connect(receivers.on_status_changed_notify, dispatch_uid="notify-email")
        submission_status_changed.connect(receivers.on_status_changed_webhooks, dispatch_uid="webhooks")
