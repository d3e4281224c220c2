"""The migration that moves reproduction checks into runners: each check's job id text becomes
its job's foreign key, with the history the row tells, and a check naming no job stops it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# The catalogue's tables have their own names from catalogue 0002 on, before and after.
CATALOGUE = ("catalogue", "0002_catalogue_tables")
BEFORE = [
    CATALOGUE,
    ("runners", "0001_squashed_0002_job_scheduler"),
    ("submissions", "0001_squashed_0004_run_log_digest_and_bundle_digest_index"),
]
AFTER = [
    CATALOGUE,
    ("runners", "0003_reproduction_check_history"),
    ("submissions", "0001_squashed_0004_run_log_digest_and_bundle_digest_index"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before():
    """The apps as they were, with one submission and its reproduction job; latest again after."""
    apps = _migrate(BEFORE)
    user = apps.get_model("auth", "User").objects.create(username="rev")
    submission = apps.get_model("submissions", "Submission").objects.create(
        owner=user,
        bundle="bundles/x/bundle.tar.gz",
        bundle_name="x.tar.gz",
        bundle_size=1,
        bundle_sha256="0" * 64,
    )
    benchmark = apps.get_model("catalogue", "Benchmark").objects.select_related("suite").first()
    job = apps.get_model("runners", "Job").objects.create(
        owner=user,
        pool="default",
        suite=benchmark.suite,
        benchmark=benchmark,
        level=apps.get_model("catalogue", "Level").objects.first(),
        config={},
        time_limit_s=60,
        secret_hash="x",  # noqa: S106 - not a secret
        reproduction_of=submission,
    )
    yield apps, user, submission, job
    _migrate(AFTER)


def _check(apps, submission, job_id, **fields):
    return apps.get_model("submissions", "ReproductionCheck").objects.create(
        submission=submission, job_id=job_id, reason="Too fast.", **fields
    )


def test_it_turns_each_checks_job_id_into_its_job_with_its_history(before):
    apps, user, submission, job = before
    asked = _check(apps, submission, str(job.pk), requested_by=user)
    ended = _check(apps, submission, str(job.pk), status="failed", verdict="inconclusive")

    apps = _migrate(AFTER)

    checks = apps.get_model("runners", "ReproductionCheck").objects
    assert checks.get(pk=asked.pk).job_id == checks.get(pk=ended.pk).job_id == job.pk
    assert checks.get(pk=ended.pk).verdict == "inconclusive"
    events = apps.get_model("runners", "ReproductionCheckEvent").objects
    assert list(events.filter(reproduction_check=asked.pk).values_list("to_status", "actor", "reason")) == [
        ("queued", user.pk, "Too fast.")
    ]
    assert list(events.filter(reproduction_check=ended.pk).values_list("from_status", "to_status")) == [
        ("", "queued"),
        ("queued", "failed"),
    ]


def test_it_stops_at_a_check_whose_job_does_not_exist(before):
    apps, _, submission, _ = before
    orphan = _check(apps, submission, "gone")

    with pytest.raises(RuntimeError, match=f"check {orphan.pk} \\(job 'gone'\\)"):
        _migrate(AFTER)

    apps.get_model("submissions", "ReproductionCheck").objects.filter(pk=orphan.pk).delete()
