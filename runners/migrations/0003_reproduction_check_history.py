"""Every reproduction check has its job, its table takes the runners app's name, and its
history is kept as other state machines keep theirs (ReproductionCheckEvent).

The content types (and so the permissions granted on them) move with the model. Each check
made before this gets the history its row tells: asked for (by its requester, with its
reason, when it was made) and, if it has ended, how.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from benchcouncil.migration_operations import move_content_types

STATUSES = [("queued", "Queued"), ("completed", "Completed"), ("failed", "Failed")]


def write_history(apps, schema_editor):
    checks = apps.get_model("runners", "ReproductionCheck")
    events = apps.get_model("runners", "ReproductionCheckEvent")
    for check in checks.objects.order_by("pk"):
        asked = events.objects.create(
            reproduction_check=check,
            from_status="",
            to_status="queued",
            actor_id=check.requested_by_id,
            reason=check.reason,
        )
        events.objects.filter(pk=asked.pk).update(created_at=check.created_at)
        if check.status == "queued":
            continue
        ended = events.objects.create(
            reproduction_check=check,
            from_status="queued",
            to_status=check.status,
            actor=None,
            reason=f"Job {check.job_id} ended, verdict {check.verdict} (recorded before checks kept a history).",
        )
        events.objects.filter(pk=ended.pk).update(created_at=check.completed_at or check.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("runners", "0002_reproduction_check_moved_in"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="reproductioncheck",
            name="job",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reproduction_checks",
                to="runners.job",
            ),
        ),
        migrations.RemoveField(model_name="reproductioncheck", name="old_job_id"),
        migrations.AlterModelTable(name="reproductioncheck", table=None),
        move_content_types(["reproductioncheck"], source="submissions", target="runners"),
        migrations.CreateModel(
            name="ReproductionCheckEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("from_status", models.CharField(blank=True, choices=STATUSES, max_length=16)),
                ("to_status", models.CharField(choices=STATUSES, max_length=16)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reproduction_check",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="runners.reproductioncheck",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "id"],
                "abstract": False,
            },
        ),
        migrations.RunPython(write_history, migrations.RunPython.noop),
    ]
