"""Dispatch: a job goes by task name to its pool's queue, with its secret and limits."""

from __future__ import annotations

import pytest

from benchcouncil.task_names import EXECUTE_JOB
from runners.tokens import secret_hash
from tests.support.runner_jobs import drain

pytestmark = pytest.mark.django_db


def test_it_sends_the_job_to_its_pools_queue_by_task_name(make_job, owner, pool, settings):
    job = make_job(owner, time_limit_s=600)

    [message] = drain(f"runner.{pool}")
    assert message.headers["task"] == EXECUTE_JOB
    assert message.headers["id"] == f"{job.pk}-1"
    _, kwargs, _ = message.payload
    assert kwargs["job_id"] == str(job.pk)
    assert kwargs["attempt"] == 1
    assert kwargs["service_url"] == settings.RUNNER_SERVICE_URL
    assert kwargs["config"]["benchmark"] == "learning-to-rank"
    assert kwargs["config"]["time_limit_s"] == 600
    # Celery's own limits back up the harness's: soft first, then hard.
    soft, hard = 600 + settings.RUNNER_TIME_LIMIT_GRACE_S, 600 + 2 * settings.RUNNER_TIME_LIMIT_GRACE_S
    assert message.headers["timelimit"] == [hard, soft]


def test_it_sends_a_secret_that_only_the_hash_in_the_database_matches(make_job, owner, pool):
    job = make_job(owner)

    [message] = drain(f"runner.{pool}")
    secret = message.payload[1]["secret"]
    job.refresh_from_db()
    assert job.secret_hash == secret_hash(secret)
    assert secret not in str(job.config)


def test_it_leaves_other_pools_queues_alone(make_job, owner, pool):
    make_job(owner)

    assert drain(f"runner.{pool}-other", timeout=0.5) == []
    assert len(drain(f"runner.{pool}")) == 1


def test_it_sends_nothing_when_the_transaction_rolls_back(owner, pool):
    from django.db import transaction

    from runners.services import job_create
    from tests.support.runner_jobs import spec

    with pytest.raises(RuntimeError), transaction.atomic():
        job_create(owner=owner, spec=spec(), pool=pool)
        raise RuntimeError("the request failed after queueing")
    assert drain(f"runner.{pool}", timeout=0.5) == []
