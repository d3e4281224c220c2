"""Leaderboards: the boards and their ranked entries, written by ranking.services."""

from __future__ import annotations

from django.db import models

from catalogue.models import Benchmark, Level


class Leaderboard(models.Model):
    """One board: a benchmark at a level, for one result profile (full or smoke).

    Rows are written only by `ranking.services.leaderboard_recompute`; the counts, the
    leader and the filter choices are precomputed there so that no page computes them.
    """

    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="leaderboards")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="leaderboards")
    # Smoke results (the runners' small data sets) get boards of their own, never mixed with
    # full ones. Values are submissions.models.Profile's.
    profile = models.CharField(max_length=8, default="full")
    leader = models.ForeignKey(
        "LeaderboardEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ranked_count = models.PositiveIntegerField(default=0)
    unranked_count = models.PositiveIntegerField(default=0)
    # {"available": 3, "preview": 1, ...}: ranked entries per availability category.
    category_counts = models.JSONField(default=dict)
    # {"accelerator": [...], "framework": [...], "organization": [...]}: the filter choices.
    facets = models.JSONField(default=dict)
    computed_at = models.DateTimeField(null=True, blank=True)
    # When the board's current or past rows last changed (a recompute, or a withdrawal closing
    # rows before its recompute), written in the same transaction. Rendered boards are cached
    # under it (ranking/cache.py), so a change is visible on the very next request.
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["benchmark", "level__order", "profile"]
        constraints = [
            models.UniqueConstraint(fields=["benchmark", "level", "profile"], name="leaderboard_unique_board")
        ]

    def __str__(self) -> str:
        return f"{self.benchmark} / {self.level} ({self.profile})"


class LeaderboardEntry(models.Model):
    """A published submission's place on a board, valid from `valid_from` until `valid_to`.

    A recompute closes the rows that changed (valid_to = now) and opens new ones, so the
    current board is the rows with no valid_to (a partial index) and the board as of any past
    instant is the rows whose interval holds it. Display fields are copied from the submission
    so that a page is one query over this table.
    """

    leaderboard = models.ForeignKey(Leaderboard, on_delete=models.CASCADE, related_name="entries")
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    # Null rank: published but not ranked (see `unranked_reason`).
    rank = models.PositiveIntegerField(null=True, blank=True)
    category_rank = models.PositiveIntegerField(null=True, blank=True)
    unranked_reason = models.CharField(max_length=200, blank=True)

    # Score in the benchmark's ranking metric: FLOPS for Valid FLOPS, seconds for time-to-quality.
    score = models.FloatField(null=True, blank=True)
    score_min = models.FloatField(null=True, blank=True)
    score_max = models.FloatField(null=True, blank=True)
    score_cv = models.FloatField(null=True, blank=True)
    flops = models.FloatField(null=True, blank=True)
    time_s = models.FloatField(null=True, blank=True)
    quality = models.FloatField(null=True, blank=True)
    runs_total = models.PositiveSmallIntegerField(default=0)
    runs_converged = models.PositiveSmallIntegerField(default=0)
    runs_counted = models.PositiveSmallIntegerField(default=0)

    organization = models.CharField(max_length=200)
    system_name = models.CharField(max_length=200)
    accelerator = models.CharField(max_length=200)
    accelerator_count = models.PositiveIntegerField(default=0)
    nodes = models.PositiveIntegerField(default=0)
    framework = models.CharField(max_length=200)
    availability = models.CharField(max_length=16)
    provenance = models.CharField(max_length=24)
    published_at = models.DateTimeField(null=True, blank=True)

    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["leaderboard", "rank"]
        indexes = [
            models.Index(
                fields=["leaderboard", "rank"],
                condition=models.Q(valid_to__isnull=True),
                name="entry_current_rank",
            ),
            models.Index(
                fields=["leaderboard", "availability", "category_rank"],
                condition=models.Q(valid_to__isnull=True),
                name="entry_current_category",
            ),
            models.Index(fields=["leaderboard", "valid_from"], name="entry_history"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank or '-'} {self.organization} {self.system_name}"
