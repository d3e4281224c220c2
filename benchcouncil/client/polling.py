"""How the command follows a job or a submission: for how long, how often, where it says so."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from .errors import WaitTimeout


@dataclass(frozen=True)
class Polling:
    timeout_s: float
    interval_s: float = 5.0
    on_progress: Callable[[str], None] = lambda line: None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def elapsed(self, since: float) -> float:
        return self.clock() - since

    def pause(self, since: float, still: str, hint: str = "") -> None:
        """Sleep until the next poll; WaitTimeout once timeout_s have passed since `since`."""
        remaining = self.timeout_s - self.elapsed(since)
        if remaining <= 0:
            raise WaitTimeout(f"{still} after {self.timeout_s:.0f}s{hint}")
        self.sleep(min(self.interval_s, remaining))

    def rest(self, since: float) -> Polling:
        """The same polling for the time left since `since` (a second at least)."""
        return replace(self, timeout_s=max(1.0, self.timeout_s - self.elapsed(since)))
