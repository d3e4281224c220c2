"""Boards are recomputed on publication, withdrawal and rule changes, and keep their history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from catalogue.signals import benchmark_rules_changed
from ranking.models import Leaderboard, LeaderboardEntry
from ranking.services import leaderboard_recompute
from submissions.provenance import submission_change_provenance
from tests.support.factories import SAMPLES, RunSpec, five_runs, publish, submission_with_runs, withdraw

# 2.43e10 x 115,305,030 samples / 3600 s at exactly the target quality
ONE_HOUR_VFLOPS = 7.783089525e14


def current(board: Leaderboard) -> list[LeaderboardEntry]:
    return list(board.entries.filter(valid_to__isnull=True).order_by(F("rank").asc(nulls_last=True)))


def test_it_ranks_a_submission_when_it_is_published(published, hpc_ic, system_level) -> None:
    submission = published()
    board = Leaderboard.objects.get(benchmark=hpc_ic, level=system_level, profile="full")
    [entry] = current(board)
    assert entry.submission_id == submission.pk
    assert entry.rank == 1
    assert entry.score == pytest.approx(ONE_HOUR_VFLOPS)
    assert entry.accelerator_count == 8
    assert board.leader_id == entry.pk
    assert board.ranked_count == 1


def test_it_orders_by_score_and_breaks_ties_by_publication_then_id(published) -> None:
    slow = published(runs=five_runs(time_s=7200), system_name="slow")
    first_tie = published(system_name="tie-1")
    second_tie = published(system_name="tie-2")
    board = Leaderboard.objects.get()
    names = [(e.rank, e.system_name) for e in current(board)]
    assert names == [(1, "tie-1"), (2, "tie-2"), (3, "slow")]
    assert first_tie.published_at <= second_tie.published_at
    assert slow.pk


def test_it_removes_a_withdrawn_submission_and_reranks(
    published, owner, django_capture_on_commit_callbacks
) -> None:
    best = published(runs=five_runs(time_s=1800), system_name="best")
    published(system_name="second")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(best, actor=owner)
    board = Leaderboard.objects.get()
    assert [(e.rank, e.system_name) for e in current(board)] == [(1, "second")]
    assert board.leader.system_name == "second"
    # The withdrawn entry's row is closed, not deleted: the past board still has it.
    closed = board.entries.get(submission=best)
    assert closed.valid_to is not None


def test_it_reranks_a_published_submission_whose_provenance_changed(
    published, admin, django_capture_on_commit_callbacks
) -> None:
    submission = published()
    with django_capture_on_commit_callbacks(execute=True):
        submission_change_provenance(
            submission=submission,
            provenance="imported_unverified",
            actor=admin,
            reason="Copied from a paper.",
        )
    [entry] = current(Leaderboard.objects.get())
    assert (entry.submission_id, entry.provenance) == (submission.pk, "imported_unverified")


def test_it_ignores_submissions_that_are_not_published(owner, hpc_ic, system_level, published) -> None:
    submission_with_runs(owner=owner, bench=hpc_ic, lvl=system_level, runs=five_runs())  # awaiting review
    published()
    assert Leaderboard.objects.get().ranked_count == 1


def test_it_keeps_unchanged_rows_and_opens_new_ones_for_changed_ranks(published) -> None:
    second = published(system_name="a")
    board = Leaderboard.objects.get()
    first_row = board.entries.get(submission=second)
    published(runs=five_runs(time_s=1800), system_name="faster")  # takes rank 1
    published(runs=five_runs(time_s=9000), system_name="slower")  # below: "a" keeps rank 2
    rows = board.entries.filter(submission=second).order_by("valid_from")
    assert [(r.rank, r.valid_to is None) for r in rows] == [(1, False), (2, True)]
    assert rows[0].pk == first_row.pk
    # a third recompute with nothing new writes nothing
    before = LeaderboardEntry.objects.count()
    leaderboard_recompute(benchmark_id=board.benchmark_id, level_id=board.level_id, profile="full")
    assert LeaderboardEntry.objects.count() == before


# ResNet-50 at the smoke profile's 3x16x16 input, as the runner counts it (manifest.json).
SMOKE_FLOPS = 1.889e8


def test_it_ranks_smoke_results_on_their_own_board(published) -> None:
    published(profile="smoke", per_sample_training_flops=SMOKE_FLOPS)
    published()
    full = Leaderboard.objects.get(profile="full")
    smoke = Leaderboard.objects.get(profile="smoke")
    assert (full.ranked_count, smoke.ranked_count) == (1, 1)


def test_it_scores_a_smoke_result_with_the_flops_of_its_own_input(published) -> None:
    published(profile="smoke", per_sample_training_flops=SMOKE_FLOPS, system_name="counted")
    published(profile="smoke", system_name="uncounted")
    board = Leaderboard.objects.get(profile="smoke")
    counted, uncounted = current(board)
    # Not the catalogue's 2.43e10 for a 224x224 input: the same runs, scaled by the smoke count.
    assert counted.system_name == "counted"
    assert counted.score == pytest.approx(ONE_HOUR_VFLOPS * SMOKE_FLOPS / 2.43e10)
    assert counted.flops == pytest.approx(SMOKE_FLOPS * SAMPLES / 3600)
    assert uncounted.rank is None and "no per-sample training FLOPs" in uncounted.unranked_reason


def test_it_ranks_within_each_availability_category(published) -> None:
    published(availability="preview", runs=five_runs(time_s=1800), system_name="p")
    published(availability="available", system_name="a")
    board = Leaderboard.objects.get()
    assert [(e.system_name, e.rank, e.category_rank) for e in current(board)] == [("p", 1, 1), ("a", 2, 1)]
    assert board.category_counts == {"preview": 1, "available": 1}


def test_it_lists_a_published_submission_that_cannot_be_ranked(published) -> None:
    published(runs=five_runs()[:2], system_name="short")
    board = Leaderboard.objects.get()
    entry = board.entries.get()
    assert entry.rank is None
    assert entry.unranked_reason == "2 run(s); 5 required"
    assert (board.ranked_count, board.unranked_count) == (0, 1)
    assert board.leader is None


def test_it_does_not_rank_time_to_quality_when_too_few_runs_converged(
    owner, reviewer, aib_ic, system_level, django_capture_on_commit_callbacks
) -> None:
    runs = [
        RunSpec(quality=0.75, ttq_s=600),
        RunSpec(quality=0.70, converged=False),
        RunSpec(quality=0.70, converged=False),
    ]
    ok = [
        RunSpec(quality=0.75, ttq_s=600),
        RunSpec(quality=0.75, ttq_s=700),
        RunSpec(quality=0.7, converged=False),
    ]
    for spec, name in ((runs, "two-missed"), (ok, "one-missed")):
        submission = submission_with_runs(
            owner=owner, bench=aib_ic, lvl=system_level, runs=spec, system_name=name
        )
        with django_capture_on_commit_callbacks(execute=True):
            publish(submission, reviewer=reviewer)
    board = Leaderboard.objects.get(benchmark=aib_ic)
    ranked = current(board)
    assert [(e.system_name, e.rank) for e in ranked] == [("one-missed", 1), ("two-missed", None)]
    # olympic mean of 600, 700, inf keeps 700 only
    assert ranked[0].score == 700
    assert "only 1 of 3 runs reached the target" in ranked[1].unranked_reason


def test_it_recomputes_every_board_of_a_benchmark_whose_rules_changed(published, hpc_ic) -> None:
    published(runs=[RunSpec(quality=0.8, samples=SAMPLES) for _ in range(5)])
    board = Leaderboard.objects.get()
    uncapped = current(board)[0].score
    hpc_ic.quality_cap = True
    hpc_ic.save()
    benchmark_rules_changed.send(sender=type(hpc_ic), benchmarks=[hpc_ic])
    capped = current(board)[0].score
    assert uncapped == pytest.approx(ONE_HOUR_VFLOPS * (0.8 / 0.763) ** 5)
    assert capped == pytest.approx(ONE_HOUR_VFLOPS)
    # both profiles of every level of the suite were recomputed (boards exist, even empty)
    assert Leaderboard.objects.filter(benchmark=hpc_ic).count() == 6


def test_it_takes_per_sample_flops_from_the_submission_at_the_free_level(published, free_level) -> None:
    published(lvl=free_level, per_sample_training_flops=4.86e10)
    [entry] = current(Leaderboard.objects.get(level=free_level))
    assert entry.score == pytest.approx(2 * ONE_HOUR_VFLOPS)


def test_it_keeps_history_with_validity_intervals(published, hpc_ic, system_level) -> None:
    published(system_name="a")
    board = Leaderboard.objects.get()
    entry = board.entries.get()
    later = entry.valid_from + timedelta(days=3)
    submission = submission_with_runs(
        owner=entry.submission.owner, bench=hpc_ic, lvl=system_level, runs=five_runs(time_s=60)
    )
    publish(submission)  # no on-commit here: recompute at a chosen time instead
    leaderboard_recompute(benchmark_id=hpc_ic.pk, level_id=system_level.pk, profile="full", now=later)
    entry.refresh_from_db()
    assert entry.valid_to == later
    assert board.entries.filter(valid_to__isnull=True).count() == 2
