from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_catalogue(sender, **kwargs) -> None:
    # Every migrate (a fresh set-up, a deploy, the test database) leaves the database
    # copy of the catalogue equal to the file.
    from .services import catalogue_sync

    catalogue_sync()


class CatalogueConfig(AppConfig):
    name = "catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_sync_catalogue, sender=self)
