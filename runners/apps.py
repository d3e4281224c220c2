from django.apps import AppConfig


class RunnersConfig(AppConfig):
    name = "runners"
    verbose_name = "Runners"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from submissions.signals import submission_status_changed

        from . import receivers

        submission_status_changed.connect(
            receivers.on_status_changed_reproductions, dispatch_uid="reproductions"
        )
