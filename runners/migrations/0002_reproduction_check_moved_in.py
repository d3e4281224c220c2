"""Reproduction checks move here from submissions, and each check's job id becomes a foreign key.

The model moves in state only: the table and its rows stay. The job id, kept as text while
submissions could not import runners, is renamed old_job_id and mapped onto the new `job`
key. Every check is created with its job and a job is never deleted (its history protects
it), so a check whose job cannot be found means the table was edited by hand: the migration
stops and names those checks rather than guess or drop them.
0003_reproduction_check_history then makes the key required and drops the text.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from benchcouncil.migration_operations import MoveModel


def _job_pk(text):
    try:
        return uuid.UUID(text)
    except (TypeError, ValueError):
        return None


def link_jobs(apps, schema_editor):
    checks = apps.get_model("runners", "ReproductionCheck")
    jobs = apps.get_model("runners", "Job")
    orphans = []
    for check in checks.objects.filter(job__isnull=True).order_by("pk"):
        pk = _job_pk(check.old_job_id)
        if pk is None or not jobs.objects.filter(pk=pk).exists():
            orphans.append(f"check {check.pk} (job {check.old_job_id!r})")
            continue
        check.job_id = pk
        check.save(update_fields=["job"])
    if orphans:
        raise RuntimeError(
            "These reproduction checks name a job that does not exist: " + ", ".join(orphans) + ". "
            "Restore the jobs or delete the checks, then migrate again."
        )


def unlink_jobs(apps, schema_editor):
    checks = apps.get_model("runners", "ReproductionCheck")
    for check in checks.objects.filter(job__isnull=False):
        check.old_job_id = str(check.job_id)
        check.save(update_fields=["old_job_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("runners", "0001_squashed_0002_job_scheduler"),
        ("submissions", "0001_squashed_0004_run_log_digest_and_bundle_digest_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        MoveModel(name="ReproductionCheck", from_app="submissions"),
        # The text's index goes first: the key's index on column job_id takes the same name.
        # Blank: migrating back re-adds the column empty, and unlink_jobs fills it.
        migrations.AlterField(
            model_name="reproductioncheck", name="job_id", field=models.CharField(blank=True, max_length=64)
        ),
        migrations.RenameField(model_name="reproductioncheck", old_name="job_id", new_name="old_job_id"),
        migrations.AddField(
            model_name="reproductioncheck",
            name="job",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reproduction_checks",
                to="runners.job",
            ),
        ),
        migrations.RunPython(link_jobs, unlink_jobs),
    ]
