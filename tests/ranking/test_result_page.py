"""A published result's page: named by organization and system, with its score, ranks and board."""

from __future__ import annotations

from django.urls import reverse

from tests.support.factories import five_runs


def test_it_shows_the_score_ranks_and_the_way_back_to_the_board(client, published) -> None:
    published(system_name="Faster preview", runs=five_runs(time_s=900), availability="preview")
    result = published(system_name="On sale", runs=five_runs(time_s=1800))
    html = client.get(reverse("submissions:detail", args=[result.pk])).content.decode()
    assert "<title>Independent — On sale · BenchCouncil Rankings</title>" in html
    assert '<span class="big" id="score">1.557</span>' in html
    assert '<span class="big" id="category-rank">#1</span>' in html
    assert '<span class="big" id="overall-rank">#2</span>' in html
    board = reverse("ranking:leaderboard", args=["hpc-ai500", "image-classification", "system"])
    assert f'href="{board}?category=available" id="back-to-board"' in html
    assert "the catalogue's constant for the reference model" in html


def test_it_marks_per_sample_flops_the_submitter_declared(client, published, free_level) -> None:
    result = published(lvl=free_level, per_sample_training_flops=3.0e10)
    html = client.get(reverse("submissions:detail", args=[result.pk])).content.decode()
    assert "3.00e+10" in html or "3e+10" in html
    assert '<strong class="declared">declared by the submitter</strong>' in html
    board = client.get(reverse("ranking:leaderboard", args=["hpc-ai500", "image-classification", "free"]))
    assert 'class="tag tag-declared"' in board.content.decode()


def test_it_shows_no_standing_before_publication(client, owner, hpc_ic, system_level) -> None:
    from tests.support.factories import submission_with_runs

    pending = submission_with_runs(owner=owner, bench=hpc_ic, lvl=system_level, runs=five_runs())
    client.force_login(owner)
    html = client.get(reverse("submissions:detail", args=[pending.pk])).content.decode()
    assert 'id="standing"' not in html
    assert "<h1>Independent — Test cluster" in html
