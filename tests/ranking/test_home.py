"""The home page covers every suite: each benchmark x level board, its leader and counts."""

from __future__ import annotations

from django.urls import reverse

from catalogue.models import Benchmark, Suite
from tests.support.factories import five_runs


def test_it_lists_every_board_of_every_suite(client, db) -> None:
    html = client.get(reverse("ranking:home")).content.decode()
    for suite in Suite.objects.all():
        assert f'id="suite-{suite.slug}"' in html
    for bench in Benchmark.objects.select_related("suite"):
        for level in bench.suite.levels.all():
            assert reverse("ranking:leaderboard", args=[bench.suite.slug, bench.slug, level.slug]) in html
    assert "No ranked available system yet" in html


def test_it_shows_each_boards_leader_and_counts(client, published) -> None:
    published(system_name="Preview box", runs=five_runs(time_s=1800), availability="preview")
    leader = published(system_name="Leader box", runs=five_runs(time_s=2700))
    published(system_name="Runner-up")
    published(system_name="Too few runs", runs=five_runs()[:1])
    html = client.get(reverse("ranking:home")).content.decode()
    # The leader is the best available system, not the faster preview one.
    assert "Leader box" in html
    assert "Preview box" not in html and "Runner-up" not in html
    assert reverse("submissions:detail", args=[leader.pk]) in html
    assert "1.038 Valid PFLOPS" in html
    assert "(+1 unranked)" in html
    assert "available: 2" in html and "preview: 1" in html


def test_it_reads_in_a_fixed_number_of_queries(client, published, django_assert_max_num_queries) -> None:
    for _ in range(3):
        published()
    # suites, their levels and benchmarks (prefetched), every board with its leader
    with django_assert_max_num_queries(4):
        client.get(reverse("ranking:home"))
