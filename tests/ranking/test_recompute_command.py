"""manage.py recompute_leaderboards: every board ranked afresh, its leader re-chosen."""

from __future__ import annotations

import io

from django.core.management import call_command

from ranking.models import Leaderboard, LeaderboardEntry
from tests.support.factories import five_runs


def test_it_makes_the_best_available_result_lead_a_board_ranked_before(published) -> None:
    published(system_name="Preview", runs=five_runs(time_s=900), availability="preview")
    published(system_name="On sale", runs=five_runs(time_s=1800))
    board = Leaderboard.objects.get()
    # as a board ranked by an earlier release stands: led by its rank 1, whatever its category
    Leaderboard.objects.filter(pk=board.pk).update(leader=LeaderboardEntry.objects.get(rank=1, valid_to=None))
    out = io.StringIO()
    call_command("recompute_leaderboards", stdout=out)
    board.refresh_from_db()
    assert board.leader is not None and board.leader.system_name == "On sale"
    assert "recomputed 1 leaderboard" in out.getvalue()
