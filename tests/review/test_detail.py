"""GET /review/<uuid>/: what a reviewer sees of one submission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.models import Finding, StatusEvent
from submissions.review.selectors import hyperparameter_diff, software_diff
from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


def _page(client, reviewer, submission):
    client.force_login(reviewer)
    response = client.get(reverse("review:detail", args=[submission.pk]))
    assert response.status_code == 200
    return response


def test_it_shows_findings_runs_and_curves(client, reviewer, pending):
    Finding.objects.create(submission=pending, severity="warning", code="runs.slow", message="Run 3 is slow.")
    response = _page(client, reviewer, pending)
    content = response.content.decode()
    assert "runs.slow" in content and "Run 3 is slow." in content
    assert "logs/run_5.log" in content
    assert "vendor/plotly/plotly.min.js" in content
    traces = response.context["curves"]
    assert [t["name"] for t in traces] == [f"run {i} (seed {1000 + i})" for i in range(1, 6)]
    assert traces[0]["y"][0] == pytest.approx(0.763 / 40)
    assert '<script id="curve-data" type="application/json">' in content


def test_it_marks_a_tunable_difference_allowed_at_system_level(owner, org):
    submission = make_submission(
        owner,
        organization=org,
        level="system",
        run_hyperparameters={"global_batch_size": 1024, "opt_name": "sgd"},
    )
    rows = {row.name: row for row in hyperparameter_diff(submission)}
    assert rows["global_batch_size"].differs and rows["global_batch_size"].allowed is True
    assert rows["opt_momentum"].allowed is None  # the bundle file states the reference value


def test_it_marks_a_changed_model_parameter_not_allowed_at_system_level(owner, org):
    hyper = {"global_batch_size": 256, "model_depth": 101}
    submission = make_submission(owner, organization=org, level="system", hyperparameters=hyper)
    rows = {row.name: row for row in hyperparameter_diff(submission)}
    assert rows["model_depth"].differs and rows["model_depth"].allowed is False


def test_it_marks_any_difference_not_allowed_at_hardware_level(client, reviewer, owner, org):
    submission = make_submission(
        owner, organization=org, level="hardware", run_hyperparameters={"opt_base_learning_rate": 0.4}
    )
    rows = {row.name: row for row in hyperparameter_diff(submission)}
    assert rows["opt_base_learning_rate"].allowed is False
    assert [c.differs for c in rows["opt_base_learning_rate"].cells] == [False] + [True] * 5
    assert "differs: not allowed" in _page(client, reviewer, submission).content.decode()


def test_it_allows_everything_at_free_level(owner, org):
    submission = make_submission(
        owner, organization=org, level="free", run_hyperparameters={"opt_name": "lars"}
    )
    rows = {row.name: row for row in hyperparameter_diff(submission)}
    assert rows["opt_name"].allowed is True


def test_it_lists_software_with_whether_its_layer_may_change(owner, org):
    submission = make_submission(owner, organization=org, level="hardware")
    rows = {row.name: row for row in software_diff(submission)}
    assert rows["framework"].value == "PyTorch 2.4" and rows["framework"].may_change is False
    assert rows["other_software_stack.cuda"].layer == 4 and rows["other_software_stack.cuda"].may_change
    system_level = make_submission(owner, organization=org, level="system", name="other.tar.gz")
    assert {r.name: r for r in software_diff(system_level)}["framework"].may_change is True


def test_it_compares_with_the_organizations_earlier_submissions_of_the_benchmark(
    client, reviewer, owner, org
):
    earlier = make_submission(owner, organization=org, status=Status.PUBLISHED, name="earlier.tar.gz")
    make_submission(owner, organization=org, benchmark="extreme-weather", name="weather.tar.gz")
    current = make_submission(owner, organization=org, name="current.tar.gz")
    response = _page(client, reviewer, current)
    compared = [c["submission"] for c in response.context["comparison"]]
    assert compared == [current, earlier]
    assert response.context["comparison"][1]["median_time_to_quality_s"] == pytest.approx(3003.0)


def test_it_never_compares_with_another_organizations_bundle_of_the_same_manifest_name(
    client, reviewer, owner, org, outsider
):
    # The manifest's organization name is free text: anyone may write another's.
    by_name = make_submission(outsider, status=Status.REJECTED, name="by-name.tar.gz")
    by_name.organization_name = org.name.upper()
    by_name.save(update_fields=["organization_name"])
    current = make_submission(owner, organization=org, name="current.tar.gz")
    compared = [c["submission"] for c in _page(client, reviewer, current).context["comparison"]]
    assert compared == [current]


def test_it_compares_a_submission_without_an_organization_with_its_submitters_own(
    client, reviewer, owner, outsider
):
    mine = make_submission(owner, status=Status.REJECTED, name="mine.tar.gz")
    make_submission(outsider, status=Status.REJECTED, name="theirs.tar.gz")
    current = make_submission(owner, name="current.tar.gz")
    compared = [c["submission"] for c in _page(client, reviewer, current).context["comparison"]]
    assert compared == [current, mine]


def test_it_shows_staff_only_notes_to_reviewers(client, reviewer, owner, org):
    submission = make_submission(owner, organization=org, reason="Looks fishy.", public_reason=False)
    assert StatusEvent.objects.filter(submission=submission, public=False).exists()
    assert "Looks fishy." in _page(client, reviewer, submission).content.decode()


def test_it_offers_the_submitting_side_its_actions_on_the_submission_page(client, owner, org, outsider):
    sent_back = make_submission(owner, organization=org, status=Status.CHANGES_REQUESTED)
    client.force_login(owner)
    page = client.get(reverse("submissions:detail", args=[sent_back.pk])).content.decode()
    assert reverse("review:correct", args=[sent_back.pk]) in page
    assert reverse("review:withdraw", args=[sent_back.pk]) in page
    published = make_submission(owner, organization=org, status=Status.PUBLISHED, name="pub.tar.gz")
    client.force_login(outsider)
    page = client.get(reverse("submissions:detail", args=[published.pk])).content.decode()
    assert reverse("review:withdraw", args=[published.pk]) not in page
    assert reverse("review:detail", args=[published.pk]) not in page


def test_it_links_reviewers_from_the_submission_page_to_the_review(client, reviewer, pending):
    client.force_login(reviewer)
    page = client.get(reverse("submissions:detail", args=[pending.pk])).content.decode()
    assert reverse("review:detail", args=[pending.pk]) in page
