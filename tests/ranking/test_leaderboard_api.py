"""GET /api/v1/leaderboards/{suite}/{benchmark}/{level}/: JSON pages and CSV, published results only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from ranking import receivers, selectors
from tests.support.boards import API, CSV
from tests.support.factories import five_runs, withdraw


@pytest.fixture
def three(published) -> list:
    return [
        published(system_name="Alpha", runs=five_runs(time_s=1800), accelerator="H100"),
        published(system_name="Beta", framework="JAX 0.4", availability="preview"),
        published(system_name="Gamma", runs=five_runs(time_s=7200), accelerator="H100"),
    ]


def test_it_returns_the_board_as_json(api_client, three) -> None:
    body = api_client.get(API).json()
    assert body["count"] == 3
    assert body["board"]["ranking_metric"] == "valid_flops"
    assert body["board"]["score_unit"] == "FLOPS"
    assert [r["system_name"] for r in body["results"]] == ["Alpha", "Beta", "Gamma"]
    first = body["results"][0]
    assert first["rank"] == 1
    assert first["score"] == pytest.approx(2 * 7.783089525e14)
    assert first["submission_url"] == f"http://testserver/submissions/{three[0].pk}/"
    assert first["runs_total"] == 5 and first["score_cv"] == pytest.approx(0, abs=1e-12)


def test_it_filters_and_sorts_like_the_page(api_client, three) -> None:
    names = lambda params: [r["system_name"] for r in api_client.get(API, params).json()["results"]]  # noqa: E731
    assert names({"accelerator": "H100"}) == ["Alpha", "Gamma"]
    assert names({"framework": "JAX 0.4"}) == ["Beta"]
    assert names({"sort": "-score"}) == ["Alpha", "Beta", "Gamma"]
    assert names({"sort": "score"}) == ["Gamma", "Beta", "Alpha"]
    body = api_client.get(API, {"category": "preview"}).json()
    assert [(r["system_name"], r["rank"], r["category_rank"]) for r in body["results"]] == [("Beta", 2, 1)]
    assert body["count"] == 1


def test_it_paginates(api_client, three, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "PER_PAGE", 2)
    body = api_client.get(API).json()
    assert len(body["results"]) == 2
    assert body["next"] == "http://testserver" + API + "?page=2"
    second = api_client.get(body["next"]).json()
    assert [r["system_name"] for r in second["results"]] == ["Gamma"]
    assert second["previous"].endswith("page=1")
    assert second["next"] is None


def test_it_rejects_a_bad_parameter(api_client, three) -> None:
    assert api_client.get(API, {"as_of": "yesterday"}).status_code == 400
    assert api_client.get(API, {"sort": "password"}).status_code == 400


def test_it_drops_a_withdrawn_submission_before_the_board_is_recomputed(
    api_client, three, owner, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    # The recompute is queued but has not run (a busy worker): the result is gone already.
    monkeypatch.setattr(receivers, "leaderboard_enqueue_recompute", lambda **kwargs: None)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(three[0], actor=owner)
    assert [r["system_name"] for r in api_client.get(API).json()["results"]] == ["Beta", "Gamma"]
    assert api_client.get(API).json()["results"][0]["rank"] == 2  # re-ranked by the recompute


def test_it_exports_every_row_as_csv(api_client, three, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "PER_PAGE", 1)  # CSV is never paginated
    for response in (api_client.get(CSV), api_client.get(API, {"format": "csv"})):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [r["system_name"] for r in rows] == ["Alpha", "Beta", "Gamma"]
        assert rows[0]["display_unit"] == "Valid PFLOPS"
        assert float(rows[0]["score_display"]) == pytest.approx(1.55662, rel=1e-5)
        assert rows[0]["submission_url"].endswith(f"/submissions/{three[0].pk}/")
    filtered = api_client.get(CSV, {"accelerator": "H100", "sort": "score"})
    assert [r["system_name"] for r in csv.DictReader(io.StringIO(filtered.content.decode()))] == [
        "Gamma",
        "Alpha",
    ]


def test_it_documents_both_endpoints_in_the_schema(api_client, db) -> None:
    schema = api_client.get(reverse("schema"), {"format": "json"}).json()
    board = schema["paths"]["/api/v1/leaderboards/{suite}/{benchmark}/{level}/"]["get"]
    assert {"accelerator", "framework", "organization", "category", "sort", "page", "as_of"} <= {
        p["name"] for p in board["parameters"]
    }
    assert {"application/json", "text/csv"} <= set(board["responses"]["200"]["content"])
    export = schema["paths"]["/api/v1/leaderboards/{suite}/{benchmark}/{level}/csv/"]["get"]
    assert "text/csv" in export["responses"]["200"]["content"]
    row = schema["components"]["schemas"]["LeaderboardRowOutput"]["properties"]
    body = api_client.get(API).json()
    assert body["results"] == []  # nothing published: an empty board, not a 404
    assert "score" in row and "submission_url" in row


def test_it_answers_each_row_with_the_fields_its_schema_declares(api_client, three) -> None:
    schema = api_client.get(reverse("schema"), {"format": "json"}).json()
    declared = list(schema["components"]["schemas"]["LeaderboardRowOutput"]["properties"])
    rows = api_client.get(API).json()["results"]
    assert len(rows) == 3
    assert [list(row) for row in rows] == [declared] * 3
    assert rows[0]["submission_id"] == str(three[0].pk)
    assert rows[0]["published_at"].endswith("Z")


def test_it_answers_404_for_a_board_not_in_the_catalogue(api_client, db) -> None:
    assert api_client.get(reverse("api-leaderboard", args=["hpc-ai500", "nope", "system"])).status_code == 404


def test_it_reads_an_uncached_page_in_three_queries(api_client, three, django_assert_max_num_queries) -> None:
    # The board's version (what a cached answer needs), the board with its catalogue rows, the
    # page's rows: no query per row.
    with django_assert_max_num_queries(3):
        assert api_client.get(API).status_code == 200
