"""Model submissions: a user's request for a runner job, checked before anything is queued.

Shared by the web form and POST /api/v1/model-submissions/.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from catalogue import get_catalogue
from submissions.models import Organization
from submissions.selectors import user_organizations

from .capacity import check_scale, pool_capacity
from .job_request import check_job_request
from .models import Job
from .reproduction import job_limits
from .services import job_create

REQUEST_KEYS = (
    "suite",
    "benchmark",
    "level",
    "profile",
    "availability",
    "hyperparameters",
    "model",
    "time_limit_s",
    "max_epochs",
    "nodes",
    "accelerators_per_node",
)


class ModelSubmissionError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


def model_submission_create(*, user: User, data: dict[str, Any]) -> Job:
    """Check `data` against its level and queue the job; ModelSubmissionError lists what is wrong."""
    errors: list[str] = []
    raw = {key: data[key] for key in REQUEST_KEYS if data.get(key) not in (None, "")}
    code, code_name = _model_code(data, errors)
    if code:
        raw["model_code"], raw["model_code_name"] = code, code_name
    organization = _organization(user, data.get("organization") or "", errors)
    pool = data.get("pool") or None
    if pool and not user.is_staff:
        errors.append("pool: only staff choose a runner pool; leave it out to use the default pool")
    spec, level_errors = check_job_request(raw, get_catalogue(), limits=job_limits())
    errors += level_errors
    if spec is not None and code:
        errors += _model_code_scale(spec.nodes, spec.accelerators_per_node)
    if spec is not None:
        capacity = pool_capacity(pool or settings.RUNNER_DEFAULT_POOL)
        errors += check_scale(
            spec.nodes, spec.accelerators_per_node, capacity, pool or settings.RUNNER_DEFAULT_POOL
        )
        if capacity is not None and spec.accelerators_per_node is None:
            # The job records the scale it runs at: the pool's accelerators per node.
            spec = dataclasses.replace(spec, accelerators_per_node=capacity.accelerators_per_node)
    if errors or spec is None:
        raise ModelSubmissionError(errors)
    return job_create(owner=user, spec=spec, organization=organization, pool=pool)


def _model_code_scale(nodes: int, accelerators_per_node: int | None) -> list[str]:
    """Submitted model code trains in one sandboxed process (docs/runners.md, "Isolation")."""
    errors = []
    if nodes > 1:
        errors.append(
            f"nodes: {nodes} asked for; submitted model code runs in one sandboxed process on one "
            "node (the catalogue's models run on several)"
        )
    if accelerators_per_node is not None and accelerators_per_node > 1:
        errors.append(
            f"accelerators_per_node: {accelerators_per_node} asked for; submitted model code trains "
            "on one accelerator or on the CPU"
        )
    return errors


def _model_code(data: dict[str, Any], errors: list[str]) -> tuple[str, str]:
    upload = data.get("model_code_file")
    text = data.get("model_code") or ""
    if upload is not None and text:
        errors.append("model_code: send the code as a file or as text, not both")
        return "", ""
    if upload is None:
        return text, "model.py" if text else ""
    limit = settings.RUNNER_MODEL_CODE_MAX_BYTES
    if upload.size > limit:
        errors.append(f"model_code_file: {upload.size} bytes; at most {limit} are accepted")
        return "", ""
    try:
        return upload.read().decode("utf-8"), upload.name
    except UnicodeDecodeError:
        errors.append("model_code_file: must be UTF-8 Python source")
        return "", ""


def _organization(user: User, slug: str, errors: list[str]) -> Organization | None:
    if not slug:
        return None
    organization = user_organizations(user).filter(slug=slug).first()
    if organization is None:
        errors.append(f"organization: you are not a member of {slug!r}")
    return organization
