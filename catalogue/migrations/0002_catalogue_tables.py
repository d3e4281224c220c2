"""The catalogue's tables take the catalogue app's names.

The rows stay; the content types (and so the permissions granted on them) move with the
models.
"""

from django.db import migrations

MODELS = ["benchmark", "cataloguerelease", "level", "suite"]


def move_content_types(apps, schema_editor, source="ranking", target="catalogue"):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label=source, model__in=MODELS).exclude(
        model__in=content_types.objects.filter(app_label=target).values("model")
    ).update(app_label=target)


def return_content_types(apps, schema_editor):
    move_content_types(apps, schema_editor, source="catalogue", target="ranking")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        *(migrations.AlterModelTable(name=name, table=None) for name in MODELS),
        migrations.RunPython(move_content_types, return_content_types),
    ]
