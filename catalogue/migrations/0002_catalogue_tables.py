"""The catalogue's tables take the catalogue app's names.

The rows stay; the content types (and so the permissions granted on them) move with the
models.
"""

from django.db import migrations

from benchcouncil.migration_operations import move_content_types

MODELS = ["benchmark", "cataloguerelease", "level", "suite"]


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        *(migrations.AlterModelTable(name=name, table=None) for name in MODELS),
        move_content_types(MODELS, source="ranking", target="catalogue"),
    ]
