"""The catalogue's models now belong to the catalogue app: state only, no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0001_initial'),
        ('ranking', '0005_batch_scaling_rule'),
        ('runners', '0003_catalogue_foreign_keys'),
        ('submissions', '0005_catalogue_foreign_keys'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='benchmark',
                    name='suite',
                ),
                migrations.AlterField(
                    model_name='leaderboard',
                    name='benchmark',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='leaderboards', to='catalogue.benchmark'),
                ),
                migrations.DeleteModel(
                    name='CatalogueRelease',
                ),
                migrations.RemoveField(
                    model_name='suite',
                    name='levels',
                ),
                migrations.AlterField(
                    model_name='leaderboard',
                    name='level',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='leaderboards', to='catalogue.level'),
                ),
                migrations.DeleteModel(
                    name='Benchmark',
                ),
                migrations.DeleteModel(
                    name='Suite',
                ),
                migrations.DeleteModel(
                    name='Level',
                ),
            ],
        ),
    ]
