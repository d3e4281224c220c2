"""Reproduction checks: a reviewer queues a runner job with the submission's configuration,
and its validated bundle's figures are compared with the submission's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from runners.models import Job, ReproductionCheck
from runners.services import job_accept_bundle, job_fail, job_transition, runner_host_register
from runners.states import JobStatus
from submissions.states import Status
from tests.support.factories import make_submission
from tests.support.job_bundles import job_bundle_like

pytestmark = pytest.mark.django_db(transaction=True)


def _request(client, submission, reason="Figures look too good."):
    return client.post(reverse("review:reproduce", args=[submission.pk]), {"reason": reason})


def test_it_queues_a_job_with_the_submissions_configuration(client, reviewer, pending, settings):
    client.force_login(reviewer)
    assert _request(client, pending).status_code == 302
    check = ReproductionCheck.objects.get(submission=pending)
    job = Job.objects.get(pk=check.job_id)
    assert job.reproduction_of == pending and job.owner == reviewer
    assert (job.benchmark_id, job.level_id) == (pending.benchmark_id, pending.level_id)
    assert (
        check.status == ReproductionCheck.State.QUEUED and check.verdict == ReproductionCheck.Verdict.PENDING
    )
    assert check.tolerance == settings.REPRODUCTION_TOLERANCE and check.reason == "Figures look too good."
    assert list(check.events.values_list("from_status", "to_status", "actor", "reason")) == [
        ("", "queued", reviewer.pk, "Figures look too good.")
    ]
    # Asking for a reproduction is no status change: the submission waits for review still.
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW


def _reproduce(client, reviewer, pending, example_bundle):
    client.force_login(reviewer)
    _request(client, pending)
    check = ReproductionCheck.objects.get(submission=pending)
    job = Job.objects.get(pk=check.job_id)
    job_transition(job=job, to=JobStatus.RUNNING, actor=None, reason="Picked up by a runner.")
    host, _ = runner_host_register(name="gpu-r", pool=job.pool)
    bundle = job_bundle_like(job, example_bundle)
    job_accept_bundle(job=job, host=host, bundle=bundle, bundle_name="reproduction.tar.gz")
    check.refresh_from_db()
    return check, job


def test_it_compares_the_figures_once_the_jobs_bundle_is_validated(
    client, reviewer, pending, example_bundle, settings
):
    # Figures compare within one profile: these runners may run the original's full profile.
    settings.RUNNER_FULL_PROFILE = True
    check, job = _reproduce(client, reviewer, pending, example_bundle)
    assert check.status == ReproductionCheck.State.COMPLETED
    figures = check.comparison["figures"]
    assert "per_sample_flops" in figures and figures["per_sample_flops"]["within"] is True
    within = check.comparison["within_tolerance"]
    expected = ReproductionCheck.Verdict.REPRODUCED if within else ReproductionCheck.Verdict.NOT_REPRODUCED
    assert check.verdict == expected
    label = ReproductionCheck.Verdict(expected).label
    assert check.events.last().reason == f"Job {job.pk}'s figures compared: {label}."
    page = client.get(reverse("review:detail", args=[pending.pk])).content.decode()
    assert check.get_verdict_display() in page


def test_a_smoke_reproduction_of_a_full_result_ends_inconclusive(client, reviewer, pending, example_bundle):
    check, job = _reproduce(client, reviewer, pending, example_bundle)
    assert job.profile == "smoke" and pending.profile == "full"
    assert check.status == ReproductionCheck.State.COMPLETED
    assert check.verdict == ReproductionCheck.Verdict.INCONCLUSIVE
    assert check.comparison["figures"] == {} and check.comparison["comparable"] is False
    assert check.events.last().reason == (
        f"Job {job.pk} ran another profile than the original: no figure is comparable."
    )


def test_it_ends_a_check_whose_job_failed(client, reviewer, pending):
    client.force_login(reviewer)
    _request(client, pending)
    check = ReproductionCheck.objects.get(submission=pending)
    job = Job.objects.get(pk=check.job_id)
    job_fail(job=job, reason="Out of memory.")
    client.post(reverse("review:reproductions-refresh", args=[pending.pk]))
    check.refresh_from_db()
    assert check.status == ReproductionCheck.State.FAILED
    assert check.verdict == ReproductionCheck.Verdict.INCONCLUSIVE
    assert check.comparison == {"error": "Out of memory."}
    assert list(check.events.values_list("from_status", "to_status", "actor", "reason")) == [
        ("", "queued", check.requested_by_id, "Figures look too good."),
        ("queued", "failed", None, f"Job {job.pk} ended without a bundle to compare: Out of memory."),
    ]
    # An ended check stays ended: refreshing again changes nothing.
    client.post(reverse("review:reproductions-refresh", args=[pending.pk]))
    assert check.events.count() == 2


@pytest.mark.parametrize("state", [Status.INVALID, Status.REJECTED, Status.CHANGES_REQUESTED])
def test_it_refuses_submissions_not_awaiting_review_or_published(client, reviewer, owner, org, state):
    submission = make_submission(owner, organization=org, status=state)
    client.force_login(reviewer)
    _request(client, submission)
    assert not ReproductionCheck.objects.exists() and not Job.objects.exists()


def test_it_requires_a_reason(client, reviewer, pending):
    client.force_login(reviewer)
    _request(client, pending, reason="")
    assert not ReproductionCheck.objects.exists()


@pytest.mark.parametrize("who", ["owner", "member", "outsider"])
def test_it_is_for_reviewers_only(client, pending, who, request):
    client.force_login(request.getfixturevalue(who))
    assert _request(client, pending).status_code == 403
    assert client.post(reverse("review:reproductions-refresh", args=[pending.pk])).status_code == 403
    assert not ReproductionCheck.objects.exists()
