"""submissions.imports: a published result copied in is stored, then published like any other."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail

from catalogue.models import Benchmark, Level
from submissions.bundles.report import Finding as ReportFinding
from submissions.imports import ImportProblems, PublishedCopy, submissions_import_published
from submissions.models import Submission
from submissions.signals import submission_status_changed, submission_status_changing

RECORD = b"entry,seed\n1,1\n"


def copy(record: bytes = RECORD, **overrides: Any) -> PublishedCopy:
    values: dict[str, Any] = {
        "key": "import:one",
        "record": record,
        "record_name": "imported-one.csv",
        "benchmark": Benchmark.objects.get(suite__slug="hpc-ai500", slug="image-classification"),
        "level": Level.objects.get(slug="system"),
        "availability": "available",
        "organization_name": "Example Supercomputing Centre",
        "system_name": "System 1",
        "manifest": {"imported_from": "https://example.org/list", "entry": "1"},
        "system_description": {"number_of_nodes": 1, "accelerators_per_node": 8},
        "per_sample_training_flops": None,
        "published_on": date(2024, 11, 18),
        "runs": [{"index": 0, "log_name": "line 2", "status": "success", "converged": True}],
        "reason": "Imported from https://example.org/list (entry 1).",
        "conflict": lambda pk: f"entry '1': imported before as {pk}",
        "findings": [ReportFinding("warning", "rules.missing_seed", "no seed", "line 2")],
    }
    values.update(overrides)
    return PublishedCopy(**values)


@pytest.fixture
def signals() -> Any:
    heard: list[tuple[str, str, str]] = []

    def changing(sender: Any, submission: Submission, event: Any, **kwargs: Any) -> None:
        heard.append(("changing", event.from_status, event.to_status))

    def changed(sender: Any, submission: Submission, event: Any, **kwargs: Any) -> None:
        heard.append(("changed", event.from_status, event.to_status))

    submission_status_changing.connect(changing, dispatch_uid="test-imports-changing")
    submission_status_changed.connect(changed, dispatch_uid="test-imports-changed")
    yield heard
    submission_status_changing.disconnect(dispatch_uid="test-imports-changing")
    submission_status_changed.disconnect(dispatch_uid="test-imports-changed")


def test_it_publishes_an_import_through_the_state_machine(
    admin, signals, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = submissions_import_published([copy()], actor=admin)
    (submission,) = result.created
    submission.refresh_from_db()
    assert (submission.status, submission.provenance) == ("published", "imported_unverified")
    assert submission.published_at.date() == date(2024, 11, 18)
    (event,) = submission.events.all()
    assert (event.from_status, event.to_status, event.actor) == ("awaiting_review", "published", admin)
    assert signals == [
        ("changing", "awaiting_review", "published"),
        ("changed", "awaiting_review", "published"),
    ]
    assert [run.log_name for run in submission.runs.all()] == ["line 2"]
    assert list(submission.findings.values_list("code", flat=True)) == ["rules.missing_seed"]
    with submission.bundle.open("rb") as stored:
        assert stored.read() == RECORD
    # The importer is the owner, and knows: no mail about their own import.
    assert mail.outbox == []


def test_it_imports_the_same_record_once_and_refuses_other_figures(admin) -> None:
    (first,) = submissions_import_published([copy()], actor=admin).created
    again = submissions_import_published([copy()], actor=admin)
    assert (again.created, again.unchanged, again.new) == ([], [first], 0)
    with pytest.raises(ImportProblems) as error:
        submissions_import_published([copy(record=b"entry,seed\n1,2\n")], actor=admin)
    (problem,) = error.value.problems
    assert problem.startswith(f"entry '1': imported before as {first.pk}; withdraw that one (with a reason)")
    assert Submission.objects.count() == 1


def test_it_stores_nothing_in_a_dry_run(admin) -> None:
    result = submissions_import_published([copy()], actor=admin, dry_run=True)
    assert (result.created, result.unchanged, result.new) == ([], [], 1)
    assert not Submission.objects.exists()
