"""Reproduction checks now belong to the runners app: state only, the table and rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("runners", "0004_reproduction_check_moved_in"),
        ("submissions", "0005_catalogue_foreign_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReproductionCheck")],
        ),
    ]
