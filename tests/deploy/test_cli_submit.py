"""`benchcouncil submit` and `wait` against the real service (pytest-django's live server)."""

from __future__ import annotations

import hashlib
import json

import pytest

from submissions.models import Submission
from submissions.states import Status
from tests.support.deploy_examples import INVALID_BUNDLE, VALID_BUNDLE
from tests.support.flaky_network import flaky_relay

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_uploads_a_bundle_with_its_sha256_as_idempotency_key(cli, owner):
    result = cli("submit", str(VALID_BUNDLE))
    assert result.code == 0, result.err
    submission = Submission.objects.get()
    assert result.out.strip() == str(submission.pk)
    assert submission.owner == owner
    assert submission.idempotency_key == hashlib.sha256(VALID_BUNDLE.read_bytes()).hexdigest()
    assert submission.bundle_sha256 == submission.idempotency_key
    assert f"submitted: {submission.pk}" in result.err


def test_it_returns_the_same_submission_when_run_again(cli):
    first = cli("submit", str(VALID_BUNDLE))
    again = cli("submit", str(VALID_BUNDLE))
    assert (first.code, again.code) == (0, 0)
    assert first.out == again.out
    assert "already submitted" in again.err
    assert Submission.objects.count() == 1


def test_it_retries_when_the_answer_is_lost_and_gets_the_first_submission(cli, live_server):
    # The first upload reaches the server, which stores it; its answer never arrives.
    with flaky_relay(live_server.url, ["drop"]) as relay:
        result = cli("submit", str(VALID_BUNDLE), "--url", relay.url, "--json")
    assert result.code == 0, result.err
    assert "retrying:" in result.err and "already submitted" in result.err
    submission = Submission.objects.get()
    assert json.loads(result.out)["id"] == str(submission.pk)
    assert relay.connections == 2


def test_it_retries_a_503_from_the_proxy_in_front(cli, live_server):
    with flaky_relay(live_server.url, ["busy", "busy"]) as relay:
        result = cli("submit", str(VALID_BUNDLE), "--url", relay.url)
    assert result.code == 0, result.err
    assert result.err.count("HTTP 503") == 2
    assert Submission.objects.count() == 1


def test_it_waits_for_validation_and_exits_0_when_valid(cli):
    result = cli("submit", str(VALID_BUNDLE), "--wait", "--interval", "0.1", "--timeout", "30")
    assert result.code == 0, result.err
    submission = Submission.objects.get()
    assert submission.status == Status.AWAITING_REVIEW
    assert f"submission {submission.pk}: awaiting_review" in result.out
    # Progress: the history as it happened, on stderr.
    assert "validating -> awaiting_review" in result.err
    # Each run named as in the bundle; a run that never reached the target says so, not "None".
    runs = [line.strip() for line in result.out.splitlines() if line.strip().startswith("logs/")]
    assert [line.split(",")[0] for line in runs] == [run.log_name for run in submission.runs.all()]
    assert any("did not reach the target" in line for line in runs)
    assert "None" not in result.out + result.err


def test_it_exits_1_with_the_findings_when_the_bundle_is_invalid(cli):
    result = cli("submit", str(INVALID_BUNDLE), "--wait", "--interval", "0.1", "--timeout", "30")
    assert result.code == 1
    assert Submission.objects.get().status == Status.INVALID
    assert "rules.duplicate_seed" in result.out


def test_it_checks_locally_first_and_uploads_nothing_invalid(cli):
    result = cli("submit", str(INVALID_BUNDLE), "--check")
    assert result.code == 1
    assert "nothing was uploaded" in result.err
    assert not Submission.objects.exists()


def test_it_waits_until_published_and_reports_the_review(cli, reviewer):
    from submissions.services import submission_transition

    submitted = cli("submit", str(VALID_BUNDLE), "--wait", "--interval", "0.1")
    submission = Submission.objects.get()
    submission_transition(submission=submission, to=Status.REJECTED, actor=reviewer, reason="Logs differ.")
    result = cli("wait", str(submission.pk), "--until", "published", "--interval", "0.1", "--json")
    assert (submitted.code, result.code) == (0, 1)
    assert json.loads(result.out)["status"] == "rejected"
    assert "awaiting_review -> rejected: Logs differ." in result.err
