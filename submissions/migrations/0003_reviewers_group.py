"""The "Reviewers" group: staff in it review submissions in /review/ and read them in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Reviewers"
PERMISSIONS = {
    "submissions": [
        "view_organization",
        "view_membership",
        "view_submission",
        "change_submission",
        "view_run",
        "view_finding",
        "view_statusevent",
        "view_reproductioncheck",
        "add_reproductioncheck",
        "view_webhook",
        "view_webhookdelivery",
    ],
    "ranking": ["view_suite", "view_level", "view_benchmark", "view_cataloguerelease"],
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now so the
    # group can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0002_review_webhooks_reproduction"),
        ("ranking", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
