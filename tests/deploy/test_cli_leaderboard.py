"""`benchcouncil leaderboard`: a published result read back as a table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from submissions.models import Submission
from submissions.services import submission_transition
from submissions.states import Status
from tests.support.deploy_examples import VALID_BUNDLE

pytestmark = pytest.mark.django_db(transaction=True)

BOARD = ("hpc-ai500", "image-classification", "system")


@pytest.fixture
def published(cli, reviewer) -> Submission:
    assert cli("submit", str(VALID_BUNDLE), "--wait", "--interval", "0.1").code == 0
    submission = Submission.objects.get()
    submission_transition(submission=submission, to=Status.PUBLISHED, actor=reviewer, reason="Reviewed.")
    return submission


def test_it_prints_the_board_as_a_table(cli, published):
    result = cli("leaderboard", *BOARD)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("hpc-ai500/image-classification/system; score: valid_flops")
    assert lines[1].split()[:3] == ["rank", "organization", "system_name"]
    assert lines[3].split()[0] == "1"
    assert published.system_name in lines[3]


def test_it_prints_every_row_as_json(cli, published):
    result = cli("leaderboard", *BOARD, "--json")
    board = json.loads(result.out)
    assert board["board"]["level"] == "system"
    assert [row["submission_id"] for row in board["results"]] == [str(published.pk)]
    assert board["results"][0]["score"] > 0


def test_it_prints_the_services_csv(cli, published):
    result = cli("leaderboard", *BOARD, "--csv")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert result.code == 0
    assert len(rows) == 1
    assert str(published.pk) in json.dumps(rows[0])


def test_it_says_when_a_board_is_empty(cli):
    result = cli("leaderboard", "hpc-ai500", "extreme-weather", "free")
    assert result.code == 0
    assert "(no published results)" in result.out


def test_it_exits_2_for_a_board_that_does_not_exist(cli):
    result = cli("leaderboard", "hpc-ai500", "no-such-benchmark", "free")
    assert result.code == 2
    assert "HTTP 404" in result.err


def test_it_sorts_descending_with_a_dashed_value(cli, published):
    for args in (("--sort", "-nodes"), ("--sort=-nodes",), ("--sort", "nodes")):
        result = cli("leaderboard", *BOARD, *args)
        assert result.code == 0, result.err
        assert published.system_name in result.out


def test_a_bad_sort_column_is_a_usage_error_naming_the_columns(cli):
    result = cli("leaderboard", *BOARD, "--sort", "bogus")
    assert result.code == 2
    assert "'bogus' is not a column to sort by" in result.err
    for column in ("rank", "score", "nodes", "time", "quality"):
        assert column in result.err
