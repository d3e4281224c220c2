from django.apps import AppConfig


class RankingConfig(AppConfig):
    name = "ranking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Receivers re-rank on publication and rule changes; importing the tasks registers
        # the recompute task so that dispatching it by name also runs eagerly in tests.
        from . import receivers, tasks  # noqa: F401
