"""Submissions point at the catalogue app's models: state only, the columns and rows stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0001_initial'),
        ('submissions', '0004_run_log_digest_and_bundle_digest_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='submission',
                    name='benchmark',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='catalogue.benchmark'),
                ),
                migrations.AlterField(
                    model_name='submission',
                    name='level',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='catalogue.level'),
                ),
                migrations.AlterField(
                    model_name='submission',
                    name='suite',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='catalogue.suite'),
                ),
            ],
        ),
    ]
