"""The catalogue's move out of ranking keeps every row and every foreign key to it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("catalogue", None),
    ("ranking", "0002_leaderboards_squashed_0005_batch_scaling_rule"),
    ("runners", "0001_squashed_0002_job_scheduler"),
    ("submissions", "0001_squashed_0004_run_log_digest_and_bundle_digest_index"),
]


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Forward: every app to its latest migration, as the database is left for the next test.
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_rows_and_foreign_keys_survive_the_move():
    old = migrate(BEFORE)
    Level, Benchmark = old.get_model("ranking", "Level"), old.get_model("ranking", "Benchmark")
    Leaderboard = old.get_model("ranking", "Leaderboard")
    level = Level.objects.get(slug="system")
    benchmark = Benchmark.objects.get(suite__slug="hpc-ai500", slug="image-classification")
    board, _ = Leaderboard.objects.get_or_create(benchmark=benchmark, level=level, profile="full")

    new = migrate()
    moved = new.get_model("catalogue", "Benchmark").objects.get(pk=benchmark.pk)
    assert (moved.slug, moved.suite.slug) == ("image-classification", "hpc-ai500")
    suite = new.get_model("catalogue", "Suite").objects.get(slug="hpc-ai500")
    assert suite.levels.filter(slug="system").exists()
    kept = new.get_model("ranking", "Leaderboard").objects.get(pk=board.pk)
    assert (kept.benchmark_id, kept.level_id) == (benchmark.pk, level.pk)
    assert kept.benchmark.slug == "image-classification"
    tables = connection.introspection.table_names()
    assert {"catalogue_benchmark", "catalogue_suite_levels"} <= set(tables)
    assert not {"ranking_benchmark", "ranking_level", "ranking_suite"} & set(tables)
    content_types = new.get_model("contenttypes", "ContentType").objects
    assert content_types.filter(app_label="catalogue", model="benchmark").exists()
    assert not content_types.filter(app_label="ranking", model="benchmark").exists()
