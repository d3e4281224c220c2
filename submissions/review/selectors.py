"""Reads for review: the queue, and what a reviewer compares a submission against."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet

from submissions.display import Shown, accelerator_count, text_value
from submissions.models import Submission
from submissions.states import Status

REVIEW_PERMISSION = "submissions.change_submission"
EARLIER_LIMIT = 5
# Which HPC AI500 layer each software field of a system description belongs to (domain.md).
SOFTWARE_LAYERS: dict[str, int] = {"operating_system": 2, "other_software_stack": 4, "framework": 5}


def is_reviewer(user: User | AnonymousUser) -> bool:
    """Staff with the Reviewers group's permission (superusers have every permission)."""
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.has_perm(REVIEW_PERMISSION)
    )


def review_queue() -> QuerySet[Submission]:
    """Submissions awaiting review, oldest first: first in, first reviewed."""
    return (
        Submission.objects.filter(status=Status.AWAITING_REVIEW)
        .select_related("owner", "organization", "suite", "benchmark", "level")
        .annotate(
            run_count=Count("runs", distinct=True),
            warning_count=Count("findings", filter=Q(findings__severity="warning"), distinct=True),
        )
        .order_by("created_at")
    )


def reproduction_checks(submission: Submission) -> QuerySet[Any]:
    # The runners app's checks (runners.models.ReproductionCheck), by their reverse relation:
    # submissions never imports runners.
    return submission.reproduction_checks.select_related("requested_by")


@dataclass
class DiffCell:
    source: str
    value: Any
    differs: bool


@dataclass
class DiffRow:
    name: str
    reference: Any
    cells: list[DiffCell] = field(default_factory=list)
    # None when nothing differs; otherwise whether the level lets this parameter differ.
    allowed: bool | None = None

    @property
    def differs(self) -> bool:
        return any(c.differs for c in self.cells)


MISSING = "—"


def _tunable(submission: Submission, name: str) -> bool:
    level = submission.level
    if level is None:
        return False
    tunable = level.tunable_hyperparameters or []
    return "*" in tunable or name in tunable


def hyperparameter_diff(submission: Submission) -> list[DiffRow]:
    """Every hyper-parameter of the reference, the bundle's file and each run, side by side."""
    return hyperparameter_diff_shown(submission, limit=None).items


def hyperparameter_diff_shown(submission: Submission, *, limit: int | None) -> Shown:
    """The first `limit` rows of the comparison (rows past it are counted, not built)."""
    reference = dict(submission.benchmark.reference_hyperparameters) if submission.benchmark else {}
    sources: list[tuple[str, dict[str, Any]]] = [("bundle", submission.hyperparameters or {})]
    sources += [(f"run {run.index}", run.hyperparameters or {}) for run in submission.runs.all()]
    ordered = dict.fromkeys(reference)  # the reference's order, then each source's new names
    for _, values in sources:
        ordered.update(dict.fromkeys(values))
    names = list(ordered)
    shown = names if limit is None else names[:limit]
    rows = []
    for name in shown:
        ref = reference.get(name, MISSING)
        row = DiffRow(name=text_value(name, 120), reference=text_value(ref))
        for source, values in sources:
            if name not in values:
                row.cells.append(DiffCell(source, MISSING, False))
            else:
                differs = ref is MISSING or values[name] != ref
                row.cells.append(DiffCell(source, text_value(values[name]), differs))
        if row.differs:
            row.allowed = _tunable(submission, name)
        rows.append(row)
    return Shown(rows, len(names) - len(shown))


@dataclass
class SoftwareRow:
    name: str
    layer: int
    value: Any
    reference: Any
    # None when the catalogue states no reference to compare with.
    differs: bool | None
    may_change: bool


def software_diff(submission: Submission) -> list[SoftwareRow]:
    """The system's software, each item with its layer and whether the level lets that layer change.

    The catalogue may state a reference software stack in a benchmark's reference
    (`framework`, `operating_system`, `other_software_stack`); where it does not, the row
    carries no difference and the reviewer judges it from the layer rule.
    """
    system = submission.system_description if isinstance(submission.system_description, dict) else {}
    reference = submission.benchmark.reference_hyperparameters if submission.benchmark else {}
    layers = set(submission.level.changeable_layers) if submission.level else set()
    rows = []
    for key, layer in SOFTWARE_LAYERS.items():
        for name, value, ref in _flatten(key, system.get(key, MISSING), reference.get(key, MISSING)):
            differs = None if ref is MISSING else value != ref
            shown = (text_value(name, 120), text_value(value), text_value(ref))
            rows.append(SoftwareRow(*shown[:1], layer, *shown[1:], differs, layer in layers))
    return rows


def _flatten(key: str, value: Any, ref: Any) -> list[tuple[str, Any, Any]]:
    # MLPerf's other_software_stack is often a mapping of package to version: one row each.
    if isinstance(value, dict):
        refs = ref if isinstance(ref, dict) else {}
        return [(f"{key}.{k}", v, refs.get(k, MISSING)) for k, v in value.items()]
    return [(key, value, ref)]


def earlier_submissions(submission: Submission) -> list[Submission]:
    """The same organization's earlier submissions of the same benchmark, newest first.

    The organization is the registered one the submission was made for (or, without one, the
    same submitter): never the free-text name in the manifest, which anyone may write, so
    that another organization's bundle cannot place itself in this comparison.
    """
    if submission.benchmark_id is None:
        return []
    if submission.organization_id is not None:
        same_org = Q(organization_id=submission.organization_id)
    else:
        same_org = Q(organization__isnull=True, owner_id=submission.owner_id)
    return list(
        Submission.objects.filter(same_org, benchmark_id=submission.benchmark_id)
        .filter(created_at__lt=submission.created_at)
        .exclude(pk=submission.pk)
        .select_related("level")
        .prefetch_related("runs")
        .order_by("-created_at")[:EARLIER_LIMIT]
    )


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def submission_summary(submission: Submission) -> dict[str, Any]:
    """A submission's headline figures, for the side-by-side comparison."""
    runs = list(submission.runs.all())
    system = submission.system_description if isinstance(submission.system_description, dict) else {}
    accelerators = text_value(system.get("accelerator_model_name") or "", 120)
    count = accelerator_count(system)
    return {
        "submission": submission,
        "runs": len(runs),
        "converged": sum(1 for r in runs if r.converged),
        "median_time_to_quality_s": _median([r.time_to_quality_s for r in runs]),
        "median_time_to_train_s": _median([r.time_to_train_s for r in runs]),
        "median_quality": _median([r.achieved_quality for r in runs]),
        "global_batch_size": _median([r.global_batch_size for r in runs]),
        "accelerators": f"{accelerators} x {MISSING if count is None else count}"
        if accelerators
        else MISSING,
        "framework": text_value(system.get("framework", MISSING), 120),
    }


def run_curves(submission: Submission) -> list[dict[str, Any]]:
    """One plotly trace per run: quality over wall-clock minutes."""
    traces = []
    for run in submission.runs.all():
        points = [p for p in run.curve or [] if isinstance(p, dict)]
        traces.append(
            {
                "name": f"run {run.index} (seed {run.seed})",
                "x": [round((p.get("time_s") or 0) / 60, 3) for p in points],
                "y": [p.get("quality") for p in points],
                "mode": "lines+markers",
                "type": "scatter",
            }
        )
    return traces
