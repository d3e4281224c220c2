"""The catalogue's models move here from ranking: state only, every table and row stays."""

from django.db import migrations

from benchcouncil.migration_operations import MoveModel


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ranking", "0002_leaderboards_squashed_0005_batch_scaling_rule"),
        ("runners", "0001_squashed_0002_job_scheduler"),
        ("submissions", "0001_squashed_0004_run_log_digest_and_bundle_digest_index"),
    ]

    operations = [
        MoveModel(name=name, from_app="ranking") for name in ("CatalogueRelease", "Level", "Suite", "Benchmark")
    ]
