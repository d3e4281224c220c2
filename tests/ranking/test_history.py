"""A board can be read as of a past date (?as_of=YYYY-MM-DD), on the page and in the API."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse

from ranking.services import leaderboard_recompute
from tests.support.factories import five_runs, publish, submission_with_runs, withdraw

URL = reverse("api-leaderboard", args=["hpc-ai500", "image-classification", "system"])
PAGE = reverse("ranking:leaderboard", args=["hpc-ai500", "image-classification", "system"])


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, 0, tzinfo=UTC)


def test_it_shows_the_board_as_it_stood_on_a_past_date(
    api_client, client, owner, hpc_ic, system_level
) -> None:
    def recompute(day: int) -> None:
        leaderboard_recompute(benchmark_id=hpc_ic.pk, level_id=system_level.pk, profile="full", now=at(day))

    first = submission_with_runs(
        owner=owner, bench=hpc_ic, lvl=system_level, runs=five_runs(), system_name="First"
    )
    publish(first)
    recompute(1)
    faster = submission_with_runs(
        owner=owner, bench=hpc_ic, lvl=system_level, runs=five_runs(time_s=1800), system_name="Faster"
    )
    publish(faster)
    recompute(5)
    gone = submission_with_runs(
        owner=owner, bench=hpc_ic, lvl=system_level, runs=five_runs(time_s=60), system_name="Gone"
    )
    publish(gone)
    recompute(7)
    withdraw(gone)
    recompute(8)

    def board(day: str) -> list[tuple[int, str]]:
        return [(r["rank"], r["system_name"]) for r in api_client.get(URL, {"as_of": day}).json()["results"]]

    assert board("2026-02-28") == []
    assert board("2026-03-01") == [(1, "First")]
    assert board("2026-03-04") == [(1, "First")]
    assert board("2026-03-05") == [(1, "Faster"), (2, "First")]
    # On the 7th "Gone" led; it was withdrawn since, so it is left out even of the past board.
    assert board("2026-03-07") == [(2, "Faster"), (3, "First")]
    assert [(r["rank"], r["system_name"]) for r in api_client.get(URL).json()["results"]] == [
        (1, "Faster"),
        (2, "First"),
    ]
    html = client.get(PAGE, {"as_of": "2026-03-04"}).content.decode()
    assert "as it stood at the end of 2026-03-04" in html
    assert "First" in html and "Faster" not in html.split('<table id="leaderboard">')[1].split("</table>")[0]
