"""Helpers of the runner tests: level-checked job specs and reading the real broker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kombu import Message

from benchcouncil.celery import app
from catalogue import get_catalogue
from runners.job_request import JobSpec, check_job_request
from runners.models import Job


def spec(**overrides: Any) -> JobSpec:
    raw = {"suite": "aibench-training", "benchmark": "learning-to-rank", "level": "hardware", **overrides}
    checked, errors = check_job_request(raw, get_catalogue())
    assert checked is not None, errors
    return checked


def drain(queue: str, timeout: float = 1.0) -> list[Message]:
    """Every message waiting on `queue`, acknowledged (so that nothing else gets them)."""
    messages = []
    with app.connection_for_read() as connection:
        simple = connection.SimpleQueue(queue)
        while True:
            try:
                message = simple.get(timeout=timeout)
            except simple.Empty:
                break
            message.ack()
            messages.append(message)
            timeout = 0.2
        simple.close()
    return messages


def job_secret(job: Job) -> str:
    """The secret the runner got for the job's current attempt, read from its message."""
    messages = [m for m in drain(job.queue) if m.payload[1]["job_id"] == str(job.pk)]
    assert messages, f"no message for job {job.pk} on {job.queue}"
    return messages[-1].payload[1]["secret"]


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
