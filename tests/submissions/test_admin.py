"""The intake admin: evidence shown, never edited."""

from __future__ import annotations

import pytest

from submissions.models import StatusEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_it_lists_and_searches_submissions(admin_client, submission):
    page = admin_client.get("/admin/submissions/submission/", {"q": str(submission.pk)})

    assert page.status_code == 200
    assert "resnet.tar.gz" in page.content.decode()
    filtered = admin_client.get("/admin/submissions/submission/", {"status__exact": "published"})
    assert "resnet.tar.gz" not in filtered.content.decode()


def test_it_shows_a_submission_with_its_runs_findings_and_history_read_only(admin_client, submission):
    page = admin_client.get(f"/admin/submissions/submission/{submission.pk}/change/").content.decode()

    assert "logs/run_1.log" in page
    assert "Validation passed with 3 run(s)." in page
    assert 'name="bundle_sha256"' not in page  # shown, not editable
    assert 'name="status"' not in page


def test_it_cannot_change_a_submissions_status_or_bundle(admin_client, submission):
    admin_client.post(
        f"/admin/submissions/submission/{submission.pk}/change/",
        {"status": "published", "bundle_sha256": "0" * 64, "provenance": submission.provenance},
    )

    submission.refresh_from_db()
    assert submission.status == "awaiting_review"
    assert submission.bundle_sha256 != "0" * 64


def test_it_never_adds_changes_or_deletes_status_events(admin_client, submission):
    event = StatusEvent.objects.filter(submission=submission).first()

    assert admin_client.get("/admin/submissions/statusevent/").status_code == 200
    assert admin_client.get("/admin/submissions/statusevent/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/submissions/statusevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    page = admin_client.get(f"/admin/submissions/statusevent/{event.pk}/change/").content.decode()
    assert 'name="reason"' not in page
    assert StatusEvent.objects.filter(pk=event.pk).exists()


def test_it_manages_organizations_with_their_members(admin_client, org, owner):
    page = admin_client.get(f"/admin/submissions/organization/{org.pk}/change/").content.decode()

    assert "memberships-TOTAL_FORMS" in page
    assert admin_client.get("/admin/submissions/membership/").status_code == 200
