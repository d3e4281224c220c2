"""Every page and export renders any valid system description (a property test), and the
findings that broke them: digit-string counts, an "items" key, an enormous count, a hundred
thousand findings, another organization's bundle of the same manifest name."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient

from ranking.services import leaderboard_recompute
from submissions.models import Finding, Submission
from submissions.states import Status
from tests.support.clients import api_as
from tests.support.factories import flood_findings, make_submission
from tests.support.system_descriptions import system_descriptions

pytestmark = pytest.mark.django_db

BOARD = ["hpc-ai500", "image-classification", "system"]
# Far above any page a person reads, far below what a hostile bundle made of them.
MAX_PAGE_BYTES = 400_000


def _describe(submission: Submission, system: dict) -> Submission:
    submission.system_description = system
    submission.system_name = str(system.get("system_name", ""))[:200]
    submission.save(update_fields=["system_description", "system_name"])
    return submission


def _pages(owner, reviewer, current: Submission, published: Submission) -> dict[str, object]:
    own, staff = Client(), Client()
    own.force_login(owner)
    staff.force_login(reviewer)
    anonymous, api = Client(), api_as(owner)
    return {
        "submission page": own.get(reverse("submissions:detail", args=[current.pk])),
        "review page": staff.get(reverse("review:detail", args=[current.pk])),
        "published page": anonymous.get(reverse("submissions:detail", args=[published.pk])),
        "board": anonymous.get(reverse("ranking:leaderboard", args=BOARD)),
        "board API": APIClient().get(reverse("api-leaderboard", args=BOARD)),
        "board CSV": APIClient().get(reverse("api-leaderboard-csv", args=BOARD)),
        "home": anonymous.get(reverse("ranking:home")),
        "submission API": api.get(reverse("api-submission-detail", args=[current.pk])),
        "submission list API": api.get(reverse("api-submission-list")),
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(system=system_descriptions(), earlier_system=system_descriptions())
def test_it_renders_every_page_for_any_valid_system_description(owner, org, reviewer, system, earlier_system):
    with transaction.atomic():
        published = _describe(
            make_submission(owner, organization=org, status=Status.PUBLISHED), earlier_system
        )
        current = _describe(make_submission(owner, organization=org), system)
        leaderboard_recompute(
            benchmark_id=published.benchmark_id, level_id=published.level_id, profile="full"
        )

        for name, response in _pages(owner, reviewer, current, published).items():
            assert response.status_code == 200, name
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert len(body) < MAX_PAGE_BYTES, (name, len(body))
        transaction.set_rollback(True)


def test_it_reads_digit_string_counts_and_an_items_key(client, owner, org, reviewer):
    system = {"system_name": "strings", "number_of_nodes": "1", "accelerators_per_node": "4"}
    system |= {"accelerator_model_name": "H100", "host_memory_capacity": "2 TB", "items": ["a", "b"]}
    make_submission(owner, organization=org, status=Status.REJECTED)
    current = _describe(make_submission(owner, organization=org), system)
    client.force_login(reviewer)

    response = client.get(reverse("review:detail", args=[current.pk]))

    assert response.status_code == 200
    assert response.context["comparison"][0]["accelerators"] == "H100 x 4"
    page = response.content.decode()
    assert "<dt>items</dt><dd>[&quot;a&quot;, &quot;b&quot;]</dd>" in page and "2 TB" in page


def test_it_keeps_the_page_small_whatever_count_a_description_states(client, owner, org, reviewer):
    # A string times a count made a page of 20 MB.
    system = {"system_name": "huge", "number_of_nodes": "1", "accelerators_per_node": 20_000_000,
              "accelerator_model_name": "H100"}  # fmt: skip
    make_submission(owner, organization=org, status=Status.REJECTED)
    current = _describe(make_submission(owner, organization=org), system)
    client.force_login(reviewer)

    response = client.get(reverse("review:detail", args=[current.pk]))

    assert response.status_code == 200 and len(response.content) < MAX_PAGE_BYTES
    assert response.context["comparison"][0]["accelerators"] == "H100 x —"


@pytest.fixture
def flooded(owner, org) -> Submission:
    submission = make_submission(owner, organization=org, status=Status.INVALID)
    flood_findings(
        submission,
        20_000,
        severity="warning",
        code="hp.unknown",
        message="Unknown key k{i}.",
        location="hyperparameters.json",
    )
    Finding.objects.create(
        submission=submission, severity="error", code="hp.bad", message="The last one is an error."
    )
    return submission


def test_it_shows_a_bounded_number_of_findings_with_a_count_of_the_rest(client, owner, reviewer, flooded):
    client.force_login(owner)
    page = client.get(reverse("submissions:detail", args=[flooded.pk]))
    client.force_login(reviewer)
    review = client.get(reverse("review:detail", args=[flooded.pk]))

    for response in (page, review):
        assert response.status_code == 200 and len(response.content) < MAX_PAGE_BYTES
        html = response.content.decode()
        assert "The last one is an error." in html  # errors first, whatever their order
        assert html.count("hp.unknown") <= 100
    assert "And 19901 more findings" in page.content.decode()
    assert "100 of 20001 findings shown" in review.content.decode()


def test_it_pages_the_findings_in_the_api(owner, flooded):
    api = api_as(owner)
    detail = api.get(reverse("api-submission-detail", args=[flooded.pk]))
    assert len(detail.content) < MAX_PAGE_BYTES
    body = detail.json()
    assert body["findings_count"] == 20_001 and len(body["findings"]) == 100
    assert body["findings"][0]["code"] == "hp.bad"

    first = api.get(body["links"]["findings"], {"page_size": 200}).json()
    assert (
        first["count"] == 20_001 and len(first["results"]) == 200 and first["results"][0]["code"] == "hp.bad"
    )
    last = api.get(body["links"]["findings"], {"page_size": 200, "page": 101}).json()
    assert len(last["results"]) == 1 and last["next"] is None


def test_it_exports_the_board_as_csv_whatever_the_description(owner, org):
    published = make_submission(owner, organization=org, status=Status.PUBLISHED)
    _describe(published, {"system_name": "=cmd", "number_of_nodes": "9" * 60, "accelerators_per_node": "4",
                          "accelerator_model_name": "+H100", "items": 1})  # fmt: skip
    leaderboard_recompute(benchmark_id=published.benchmark_id, level_id=published.level_id, profile="full")
    response = APIClient().get(reverse("api-leaderboard-csv", args=BOARD))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["system_name"], r["accelerator"]) for r in rows] == [("'=cmd", "'+H100")]
