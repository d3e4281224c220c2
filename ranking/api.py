"""Read-only API: the catalogue and the leaderboards (JSON, paginated, or CSV)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from submissions.models import Availability

from . import cache as board_cache
from .csv_export import CSVRenderer, board_csv
from .forms import SORT_CHOICES
from .models import Benchmark, Leaderboard, Level
from .presentation import submission_url_builder
from .selectors import (
    ROW_FIELDS,
    BoardQuery,
    board_target,
    leaderboard_entries,
    leaderboard_get,
    leaderboard_page,
)
from .serializers import BenchmarkSerializer
from .services import TIE_RULE


class BenchmarkFilter(filters.FilterSet):
    suite = filters.CharFilter(field_name="suite__slug")

    class Meta:
        model = Benchmark
        fields = ["suite", "ranking_metric"]


class BenchmarkListApi(generics.ListAPIView):
    """The catalogue: every benchmark with its target, exponent, FLOPs constant and levels."""

    permission_classes = [AllowAny]
    serializer_class = BenchmarkSerializer
    filterset_class = BenchmarkFilter
    pagination_class = None
    queryset = Benchmark.objects.select_related("suite").prefetch_related("suite__levels")


class LeaderboardInput(serializers.Serializer):
    accelerator = serializers.CharField(
        required=False, allow_blank=True, help_text="Exact accelerator model."
    )
    framework = serializers.CharField(required=False, allow_blank=True)
    organization = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(
        choices=Availability.choices,
        required=False,
        allow_blank=True,
        help_text="Availability category; ranks are then the category's own.",
    )
    sort = serializers.ChoiceField(
        choices=[c for c, _ in SORT_CHOICES],
        required=False,
        help_text="Column to sort by, '-' for descending; default rank.",
    )
    page = serializers.IntegerField(required=False, min_value=1)
    as_of = serializers.DateField(required=False, help_text="The board at the end of this day (UTC).")
    profile = serializers.ChoiceField(
        choices=["full", "smoke"], required=False, help_text="Smoke results have boards of their own."
    )


class LeaderboardRowOutput(serializers.Serializer):
    rank = serializers.IntegerField(help_text="Rank on the whole board.")
    category_rank = serializers.IntegerField(help_text="Rank within its availability category.")
    submission_id = serializers.UUIDField()
    submission_url = serializers.URLField()
    organization = serializers.CharField()
    system_name = serializers.CharField()
    accelerator = serializers.CharField()
    accelerator_count = serializers.IntegerField()
    nodes = serializers.IntegerField()
    framework = serializers.CharField()
    availability = serializers.CharField()
    provenance = serializers.CharField()
    score = serializers.FloatField(help_text="Valid FLOPS (FLOP/s), or time-to-quality in seconds.")
    score_min = serializers.FloatField(allow_null=True)
    score_max = serializers.FloatField(allow_null=True)
    score_cv = serializers.FloatField(allow_null=True, help_text="Coefficient of variation of the runs.")
    flops = serializers.FloatField(allow_null=True, help_text="Aggregate training FLOPS, unpenalised.")
    time_s = serializers.FloatField(allow_null=True)
    quality = serializers.FloatField(allow_null=True)
    runs_total = serializers.IntegerField()
    runs_converged = serializers.IntegerField()
    runs_counted = serializers.IntegerField()
    published_at = serializers.DateTimeField()


LeaderboardPageOutput = inline_serializer(
    name="LeaderboardPage",
    fields={
        "board": inline_serializer(
            name="LeaderboardBoard",
            fields={
                "suite": serializers.CharField(),
                "benchmark": serializers.CharField(),
                "level": serializers.CharField(),
                "profile": serializers.CharField(),
                "ranking_metric": serializers.CharField(),
                "score_unit": serializers.CharField(),
                "higher_is_better": serializers.BooleanField(),
                "computed_at": serializers.DateTimeField(allow_null=True),
                "as_of": serializers.DateField(allow_null=True),
                "tie_rule": serializers.CharField(),
            },
        ),
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": LeaderboardRowOutput(many=True),
    },
)


class LeaderboardApi(APIView):
    """One leaderboard: published results only, precomputed, filtered and sorted as the page."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[LeaderboardInput],
        responses={
            (200, "application/json"): LeaderboardPageOutput,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="Every matching row (?format=csv)."
            ),
        },
    )
    def get(self, request: Request, suite: str, benchmark: str, level: str) -> Response | HttpResponse:
        asked = request.query_params.get("profile")
        board = leaderboard_get(
            suite=suite, benchmark=benchmark, level=level, profile="smoke" if asked == "smoke" else "full"
        )
        as_csv = request.accepted_renderer.format == "csv"
        key = None
        if board is not None:
            # The key covers every parameter and the representation, so a stored body is the
            # answer this request would get: it is served before validating anything again.
            key = board_cache.board_key(
                request, board, kind="csv" if as_csv else "json", allowed=board_cache.API_PARAMS
            )
        if key is not None:
            assert board is not None
            unchanged = board_cache.not_modified(request, key, board)
            if unchanged is not None:
                return unchanged  # type: ignore[return-value]
            body = board_cache.get(key)
            if body is not None:
                cached = HttpResponse(body, content_type=_CSV_TYPE if as_csv else "application/json")
                if as_csv:
                    cached["Content-Disposition"] = _csv_disposition(board.benchmark, board.level)
                board_cache.mark_public(cached, key, board)
                return cached

        params = LeaderboardInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        query = BoardQuery(
            accelerator=data.get("accelerator", ""),
            framework=data.get("framework", ""),
            organization=data.get("organization", ""),
            category=data.get("category", ""),
            sort=data.get("sort") or "rank",
            page=data.get("page") or 1,
            as_of=data.get("as_of"),
        )
        profile = data.get("profile") or "full"
        if board is not None:
            bench, lvl = board.benchmark, board.level
        else:
            target = board_target(suite=suite, benchmark=benchmark, level=level)
            if target is None:
                raise Http404("No such leaderboard.")
            bench, lvl = target
        url_for = _submission_url(request)
        if as_csv:
            response: Response | HttpResponse = _csv_response(board, bench, lvl, query, url_for)
            if key is not None:
                board_cache.put(key, response.content)
        else:
            body = _page_body(request, board, bench, lvl, profile, query, url_for)
            response = Response(body)
            # Past the last page every page number is the same empty one: not worth a key each.
            if key is not None and (body["results"] or query.page == 1):
                response.add_post_render_callback(lambda rendered: board_cache.put(key, rendered.content))
        if key is not None:
            assert board is not None
            board_cache.mark_public(response, key, board)
        return response


class LeaderboardCsvApi(LeaderboardApi):
    """Every row of one leaderboard as CSV (the same filters and sort; no pagination)."""

    renderer_classes = [CSVRenderer]

    @extend_schema(
        parameters=[LeaderboardInput],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per result.")},
    )
    def get(self, request: Request, suite: str, benchmark: str, level: str) -> Response | HttpResponse:
        return super().get(request, suite, benchmark, level)


def _submission_url(request: Request) -> Any:
    return submission_url_builder(request.build_absolute_uri)


def _page_body(
    request: Request,
    board: Leaderboard | None,
    bench: Benchmark,
    lvl: Level,
    profile: str,
    query: BoardQuery,
    url_for: Any,
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    count, has_next = 0, False
    if board is not None:
        page = leaderboard_page(board=board, query=query)
        rows, count, has_next = page.rows, page.total, page.has_next
    for row in rows:
        row.pop("shown_rank", None)
        row["submission_url"] = url_for(row["submission_id"])
    return {
        "board": {
            "suite": bench.suite.slug,
            "benchmark": bench.slug,
            "level": lvl.slug,
            "profile": profile,
            "ranking_metric": bench.ranking_metric,
            "score_unit": "FLOPS" if bench.ranking_metric == "valid_flops" else "s",
            "higher_is_better": bench.ranking_metric == "valid_flops",
            "computed_at": board.computed_at if board else None,
            "as_of": query.as_of,
            "tie_rule": TIE_RULE,
        },
        "count": count,
        "next": _page_url(request, query.page + 1) if has_next else None,
        "previous": _page_url(request, query.page - 1) if query.page > 1 else None,
        "results": rows,
    }


def _page_url(request: Request, number: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _csv_response(
    board: Leaderboard | None, bench: Benchmark, lvl: Level, query: BoardQuery, url_for: Any
) -> HttpResponse:
    rows = (
        leaderboard_entries(board=board, query=query).values(*ROW_FIELDS).iterator(chunk_size=2000)
        if board is not None
        else iter(())
    )
    response = HttpResponse(board_csv(bench, rows, url_for), content_type=_CSV_TYPE)
    response["Content-Disposition"] = _csv_disposition(bench, lvl)
    return response


_CSV_TYPE = "text/csv; charset=utf-8"


def _csv_disposition(bench: Benchmark, lvl: Level) -> str:
    return f'attachment; filename="{bench.suite.slug}-{bench.slug}-{lvl.slug}.csv"'
