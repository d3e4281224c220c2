"""Jobs point at the catalogue app's models: state only, the columns and rows stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0001_initial'),
        ('runners', '0002_job_scheduler'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='job',
                    name='benchmark',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalogue.benchmark'),
                ),
                migrations.AlterField(
                    model_name='job',
                    name='level',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalogue.level'),
                ),
                migrations.AlterField(
                    model_name='job',
                    name='suite',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalogue.suite'),
                ),
            ],
        ),
    ]
