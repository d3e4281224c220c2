from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from benchcouncil.admin import ReadOnlyAdmin

from .models import Leaderboard, LeaderboardEntry
from .services import leaderboard_enqueue_recompute


@admin.register(Leaderboard)
class LeaderboardAdmin(ReadOnlyAdmin):
    """Boards are written by the recompute only; staff may ask for one here."""

    list_display = ["benchmark", "level", "profile", "ranked_count", "unranked_count", "computed_at"]
    list_filter = ["profile", "benchmark__suite", "level"]
    list_select_related = ["benchmark__suite", "level"]
    actions = ["recompute"]

    @admin.action(description="Recompute the selected leaderboards")
    def recompute(self, request: HttpRequest, queryset: QuerySet[Leaderboard]) -> None:
        for board in queryset:
            leaderboard_enqueue_recompute(
                benchmark_id=board.benchmark_id, level_id=board.level_id, profile=board.profile
            )
        self.message_user(request, f"Recompute queued for {queryset.count()} leaderboard(s).")


@admin.register(LeaderboardEntry)
class LeaderboardEntryAdmin(ReadOnlyAdmin):
    list_display = ["leaderboard", "rank", "organization", "system_name", "score", "valid_from", "valid_to"]
    list_filter = ["leaderboard__benchmark__suite", "leaderboard__level", "availability", "provenance"]
    list_select_related = ["leaderboard__benchmark__suite", "leaderboard__level"]
    raw_id_fields = ["submission", "leaderboard"]
    search_fields = ["organization", "system_name", "submission__id"]
