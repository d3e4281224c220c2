"""Settings read from the environment: a bad value stops the start with the variable's name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from benchcouncil.env import env_float


@pytest.mark.parametrize(("raw", "value"), [(None, 1.0), ("", 1.0), ("0", 0.0), ("0.25", 0.25), (" 3 ", 3.0)])
def test_it_reads_a_number_or_the_default(monkeypatch, raw, value) -> None:
    if raw is None:
        monkeypatch.delenv("SOME_TTL_S", raising=False)
    else:
        monkeypatch.setenv("SOME_TTL_S", raw)
    assert env_float("SOME_TTL_S", 1.0) == value


@pytest.mark.parametrize("raw", ["soon", "-1", "nan", "inf", "1s"])
def test_it_refuses_what_is_not_a_number_at_least_the_minimum(monkeypatch, raw) -> None:
    monkeypatch.setenv("SOME_TTL_S", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_TTL_S"):
        env_float("SOME_TTL_S", 1.0)
