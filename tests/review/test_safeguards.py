"""Review safeguards: no decision on one's own or one's organization's submission, no default
decision, and bundles or run logs sent before are flagged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.models import Membership, Run
from submissions.review.forms import DecisionForm
from submissions.states import Status
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


def _decide(client, submission, decision="approve"):
    data = {"decision": decision, "reason": "Checked.", "public": "on"}
    return client.post(reverse("review:decide", args=[submission.pk]), data)


def test_it_refuses_a_reviewer_deciding_on_their_own_submission(client, reviewer):
    own = make_submission(reviewer, status=Status.AWAITING_REVIEW)
    client.force_login(reviewer)
    response = _decide(client, own)
    own.refresh_from_db()
    assert own.status == Status.AWAITING_REVIEW
    assert "You sent this submission" in str(list(response.wsgi_request._messages)[0])


def test_it_refuses_a_reviewer_deciding_on_their_organizations_submission(client, reviewer, pending, org):
    Membership.objects.create(organization=org, user=reviewer)
    client.force_login(reviewer)
    _decide(client, pending)
    pending.refresh_from_db()
    assert pending.status == Status.AWAITING_REVIEW and not pending.events.filter(actor=reviewer).exists()


def test_it_refuses_a_reproduction_request_on_ones_own_submission(client, reviewer):
    own = make_submission(reviewer, status=Status.AWAITING_REVIEW)
    client.force_login(reviewer)
    client.post(reverse("review:reproduce", args=[own.pk]), {"reason": "Check it."})
    assert not own.reproduction_checks.exists()


def test_it_shows_the_conflict_instead_of_the_decision_form(client, reviewer):
    own = make_submission(reviewer, status=Status.AWAITING_REVIEW)
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[own.pk])).content.decode()
    assert 'id="decision-conflict"' in page and reverse("review:decide", args=[own.pk]) not in page


def test_the_decision_has_no_default(client, reviewer, pending):
    assert not DecisionForm({"reason": "Looks fine.", "public": "on"}).is_valid()
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[pending.pk])).content.decode()
    select = page[page.index('name="decision"') : page.index("</select>", page.index('name="decision"'))]
    assert '<option value="" selected>' in select and select.count("selected") == 1
    response = client.post(reverse("review:decide", args=[pending.pk]), {"reason": "Looks fine."})
    pending.refresh_from_db()
    assert response.status_code == 302 and pending.status == Status.AWAITING_REVIEW


def test_it_flags_a_byte_identical_bundle_sent_by_another_user(client, reviewer, owner, outsider, org):
    first = make_submission(owner, organization=org, status=Status.PUBLISHED, name="first.tar.gz")
    copy = make_submission(outsider, status=Status.AWAITING_REVIEW, name="copy.tar.gz")
    copy.bundle_sha256 = first.bundle_sha256
    copy.save(update_fields=["bundle_sha256"])
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[copy.pk])).content.decode()
    assert (
        'id="duplicate-flag"' in page
        and f'href="{reverse("review:detail", args=[first.pk])}">{first.title}</a>' in page
        and "the same bundle, byte for byte" in page
    )
    # The earlier one is not flagged by the later copy: the copy is what needs explaining.
    earlier = client.get(reverse("review:detail", args=[first.pk])).content.decode()
    assert 'id="duplicate-flag"' not in earlier


def test_it_flags_a_run_log_sent_by_another_submission(client, reviewer, owner, outsider, org):
    first = make_submission(owner, organization=org, status=Status.PUBLISHED, name="first.tar.gz")
    later = make_submission(outsider, status=Status.AWAITING_REVIEW, name="later.tar.gz")
    Run.objects.filter(submission=first, index=2).update(log_sha256="a" * 64)
    Run.objects.filter(submission=later, index=4).update(log_sha256="a" * 64)
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[later.pk])).content.decode()
    assert "logs/run_4.log is logs/run_2.log of that submission" in page
    queue = client.get(reverse("review:queue")).content.decode()
    assert "shares bytes with 1 earlier submission" in queue


def test_it_flags_nothing_for_fresh_bytes(client, reviewer, pending):
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[pending.pk])).content.decode()
    assert 'id="duplicate-flag"' not in page and "Neither the bundle nor any of its run logs" in page
