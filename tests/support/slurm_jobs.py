"""Helpers of the Slurm runner tests: waiting, the broker, the API over HTTP, Slurm's view."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from kombu import Message

from benchcouncil.celery import app


def wait_for(predicate: Callable[[], Any], timeout: float, what: str | Callable[[], str]) -> Any:
    """Poll `predicate` until it is true; `what` (text, or a function giving it) names the wait."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")


def drain(queue: str, timeout: float = 1.0) -> list[Message]:
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


def api_post(url: str, body: dict[str, Any] | None, token: str, expect: int = 201) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - the live server
        url,
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == expect
        data: dict[str, Any] = json.loads(response.read())
        return data
