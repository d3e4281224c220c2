"""The web tier's check of a model submission against its level, before anything is queued.

The level rules, the values the harness accepts and their error messages are in runners.level_rules,
whose check_job the harness applies to the job's configuration again on the runner; the web tier must not
import the harness, and a submitter should hear about a bad configuration at once (a 400), not
after the job has waited for a GPU. What is checked only here: the request itself (availability,
time limit, the service's profile and size limits) and model code as source text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from catalogue import Catalogue

from .level_rules import FULL, MODEL_CODE_ENTRY_POINT, SMOKE, check_job, positive_int


@dataclass(frozen=True)
class JobSpec:
    """A checked model submission: what the runner will be asked to train."""

    suite: str
    benchmark: str
    level: str
    profile: str
    availability: str
    time_limit_s: int
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    model_code: str = ""
    model_code_name: str = ""
    max_epochs: int | None = None
    nodes: int = 1
    accelerators_per_node: int | None = None  # None: every accelerator of each node the host gives

    def harness_config(self, *, organization_name: str) -> dict[str, Any]:
        """The configuration the runner's harness gets (model code travels beside it)."""
        config: dict[str, Any] = {
            "suite": self.suite,
            "benchmark": self.benchmark,
            "level": self.level,
            "profile": self.profile,
            "availability": self.availability,
            "organization": organization_name or "BenchCouncil runner",
            "hyperparameters": dict(self.hyperparameters),
            "time_limit_s": self.time_limit_s,
        }
        if self.model:
            config["model"] = self.model
        if self.max_epochs is not None:
            config["max_epochs"] = self.max_epochs
        config["nodes"] = self.nodes
        if self.accelerators_per_node is not None:
            config["accelerators_per_node"] = self.accelerators_per_node
        return config


@dataclass
class _Check:
    raw: dict[str, Any]
    catalogue: Catalogue
    limits: dict[str, Any]
    errors: list[str] = field(default_factory=list)


DEFAULT_LIMITS: dict[str, Any] = {
    "full_profile": False,
    "default_time_limit_s": 3600,
    "max_time_limit_s": 7 * 24 * 3600,
    "model_code_max_bytes": 256 * 1024,
}


def check_job_request(
    raw: dict[str, Any], catalogue: Catalogue, *, limits: dict[str, Any] | None = None
) -> tuple[JobSpec | None, list[str]]:
    """Check a model submission against the catalogue; (spec, []) or (None, errors).

    `limits`: full_profile (bool: do the hosts hold the full data sets), default_time_limit_s,
    max_time_limit_s, model_code_max_bytes.
    """
    check = _Check(_given(raw), catalogue, {**DEFAULT_LIMITS, **(limits or {})})
    benchmark, level, check.errors = check_job(check.raw, catalogue)
    if benchmark is None or level is None:
        return None, check.errors
    profile = _profile(check)
    availability = _availability(check)
    code = check.raw.get("model_code") or ""
    if code and level.model_may_change:
        _check_code(check, code)
    time_limit_s = _time_limit(check)
    if check.errors:
        return None, check.errors
    given = check.raw
    return (
        JobSpec(
            suite=benchmark.suite,
            benchmark=benchmark.slug,
            level=level.slug,
            profile=profile,
            availability=availability,
            time_limit_s=time_limit_s,
            hyperparameters=dict(given.get("hyperparameters") or {}),
            model=str(given["model"]) if given.get("model") else None,
            model_code=code,
            model_code_name=str(given.get("model_code_name") or ("model.py" if code else "")),
            max_epochs=given.get("max_epochs"),
            nodes=given.get("nodes", 1),
            accelerators_per_node=given.get("accelerators_per_node"),
        ),
        [],
    )


_BLANK_MEANS_DEFAULT = ("max_epochs", "nodes", "accelerators_per_node")


def _given(raw: dict[str, Any]) -> dict[str, Any]:
    """The request without the values it leaves empty: a form's blank field, a null, a false
    profile. They take their defaults, as if absent (runners.level_rules.check_job)."""
    empty = {key for key in _BLANK_MEANS_DEFAULT if raw.get(key) in (None, "")}
    if not raw.get("profile"):
        empty.add("profile")
    return {key: value for key, value in raw.items() if key not in empty}


def _profile(check: _Check) -> str:
    """Whether this service can run the profile; check_job has checked it is one."""
    profile = check.raw.get("profile", SMOKE)
    if profile == FULL and not check.limits["full_profile"]:
        check.errors.append(
            "profile: the runners hold no full data sets here, so only the smoke profile can run"
        )
    return str(profile)


def _availability(check: _Check) -> str:
    availability = check.raw.get("availability") or "research"
    if availability not in check.catalogue.availability:
        known = ", ".join(check.catalogue.availability)
        check.errors.append(f"availability: {availability!r} is not one of {known}")
    return str(availability)


def _check_code(check: _Check, code: Any) -> None:
    """The source text itself: the harness gets it as a file and imports it only in its sandbox."""
    if not isinstance(code, str):
        check.errors.append("model_code: must be Python source text")
        return
    size = len(code.encode("utf-8"))
    if size > check.limits["model_code_max_bytes"]:
        check.errors.append(
            f"model_code: {size} bytes; at most {check.limits['model_code_max_bytes']} are accepted"
        )
        return
    try:
        # Parsed, never executed: the code runs only on a runner, inside the harness's sandbox.
        tree = ast.parse(code)
    except SyntaxError as exc:
        check.errors.append(f"model_code: not valid Python (line {exc.lineno}: {exc.msg})")
        return
    names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    if MODEL_CODE_ENTRY_POINT not in names:
        check.errors.append(f"model_code: must define a top-level function {MODEL_CODE_ENTRY_POINT}(...)")


def _time_limit(check: _Check) -> int:
    value = check.raw.get("time_limit_s")
    if value in (None, ""):
        return int(check.limits["default_time_limit_s"])
    if not positive_int(value) or value > check.limits["max_time_limit_s"]:
        check.errors.append(
            f"time_limit_s: must be a whole number of seconds from 1 to {check.limits['max_time_limit_s']}"
        )
        return 0
    return int(value)
