"""/submissions/<id>/: the submission's page."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import TestCase

from submissions.models import StatusEvent
from submissions.services import submission_create
from submissions.states import Status

pytestmark = pytest.mark.django_db


def _page(client, submission) -> str:
    response = client.get(f"/submissions/{submission.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_status_runs_system_and_download(client, owner, submission):
    client.force_login(owner)

    page = _page(client, submission)

    assert 'class="status status-awaiting_review"' in page
    assert page.count("<tr>") >= 3 + 3  # three runs and three history events
    assert "30 min 0 s" in page  # time to quality, 1800 s
    assert "9.34e+16" in page  # total FLOPs of a run
    assert "NVIDIA H100-SXM5-80GB" in page
    assert f'href="/submissions/{submission.pk}/bundle/"' in page


def test_it_embeds_each_runs_curve_for_the_chart(client, owner, submission):
    client.force_login(owner)

    page = _page(client, submission)

    assert "vendor/plotly/plotly.min.js" in page
    raw = re.search(r'<script id="quality-data" type="application/json">(.*?)</script>', page, re.S)
    data = json.loads(raw.group(1))
    assert data["target"] == 0.749
    assert data["metric"] == "Top-1 accuracy"
    assert [len(run["curve"]) for run in data["runs"]] == [3, 3, 3]


def test_it_groups_findings_by_severity_with_codes_and_locations(client, owner):
    with TestCase.captureOnCommitCallbacks(execute=True):
        broken, _ = submission_create(owner=owner, bundle=io.BytesIO(b"not an archive"), bundle_name="x.zip")
    client.force_login(owner)

    page = _page(client, broken)

    assert 'class="status status-invalid"' in page
    assert '<table class="findings findings-error">' in page
    assert "archive.unknown_format" in page
    assert "<code>archive</code>" in page  # the location
    assert "quality-data" not in page  # no runs, no chart


def test_it_shows_staff_only_history_to_staff_alone(client, owner, reviewer, published):
    StatusEvent.objects.create(
        submission=published, from_status=Status.PUBLISHED, to_status=Status.PUBLISHED,
        reason="Internal: asked the vendor about the interconnect", public=False,
    )  # fmt: skip

    assert "Internal: asked the vendor" not in _page(client, published)
    client.force_login(owner)
    assert "Internal: asked the vendor" not in _page(client, published)
    client.force_login(reviewer)
    assert "Internal: asked the vendor" in _page(client, published)
