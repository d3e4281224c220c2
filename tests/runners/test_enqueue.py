"""benchcouncil.tasks.enqueue: the one way every app queues a task by name."""

from __future__ import annotations

import logging

from celery import shared_task

from benchcouncil.tasks import enqueue
from tests.support.runner_jobs import drain

CALLS: list[tuple[int, str]] = []


@shared_task(name="tests.runners.record_call")
def record_call(number: int, word: str = "") -> None:
    CALLS.append((number, word))


def test_it_runs_a_task_this_process_registers_in_process_when_eager():
    CALLS.clear()

    enqueue("tests.runners.record_call", 7, word="seven")

    assert CALLS == [(7, "seven")]


def test_it_sends_a_task_this_process_does_not_register_to_its_queue(pool, caplog):
    caplog.set_level(logging.DEBUG, logger="benchcouncil.tasks")

    enqueue("tests.runners.elsewhere", 1, secret="s3cret-value", queue=f"runner.{pool}")  # noqa: S106

    [message] = drain(f"runner.{pool}")
    assert message.headers["task"] == "tests.runners.elsewhere"
    assert message.payload[:2] == [[1], {"secret": "s3cret-value"}]
    # The log names the task, never its arguments.
    assert "tests.runners.elsewhere" in caplog.text
    assert "s3cret-value" not in caplog.text
