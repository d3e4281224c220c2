"""Read-only API: the catalogue and the leaderboards (JSON, paginated, or CSV)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.models import Benchmark, Level

from . import cache as board_cache
from .csv_export import CSVRenderer, board_csv
from .models import Leaderboard
from .presentation import submission_url_builder
from .selectors import (
    ROW_FIELDS,
    BoardQuery,
    board_target,
    leaderboard_entries,
    leaderboard_page,
)
from .serializers import BenchmarkSerializer, LeaderboardInput, LeaderboardPageSerializer
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


class LeaderboardApi(APIView):
    """One leaderboard: published results only, precomputed, filtered and sorted as the page."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[LeaderboardInput],
        responses={
            (200, "application/json"): LeaderboardPageSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="Every matching row (?format=csv)."
            ),
        },
    )
    def get(self, request: Request, suite: str, benchmark: str, level: str) -> Response | HttpResponseBase:
        kind = request.accepted_renderer.format
        names = (suite, benchmark, level)
        version, key = _version_and_key(request, kind, names)
        if version is not None and key is not None:
            # The key covers every parameter and the representation, so a stored body is the
            # answer this request would get: it is served before validating anything again.
            stored = _stored_answer(request, version, key, kind, names)
            if stored is not None:
                return stored

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
        # The board rendered is the version the key was made of (its rows are read after it).
        board = version
        if board is not None:
            bench, lvl = board.benchmark, board.level
        else:
            target = board_target(suite=suite, benchmark=benchmark, level=level)
            if target is None:
                raise Http404("No such leaderboard.")
            bench, lvl = target
        url_for = _submission_url(request)
        if kind == "csv":
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
            assert version is not None
            board_cache.mark_public(response, key, version)
        return response


def _version_and_key(
    request: HttpRequest, kind: str, names: tuple[str, str, str]
) -> tuple[Leaderboard | None, str | None]:
    """The board's version (None: no board yet) and the cache key of this request's answer
    (None: not cacheable)."""
    suite, benchmark, level = names
    version = board_cache.board_version(
        suite=suite, benchmark=benchmark, level=level, profile=_profile(request.GET.get("profile"))
    )
    if version is None:
        return None, None
    return version, board_cache.board_key(request, version, kind=kind, allowed=board_cache.API_PARAMS)


def _stored_answer(
    request: HttpRequest, version: Leaderboard, key: str, kind: str, names: tuple[str, str, str]
) -> HttpResponseBase | None:
    """The cached rendering under `key`, or a 304 for the client's copy of it; None if not stored."""
    if kind == "csv":
        disposition = {"Content-Disposition": _csv_disposition(*names)}
        return board_cache.stored_response(request, key, version, content_type=_CSV_TYPE, headers=disposition)
    return board_cache.stored_response(request, key, version, content_type="application/json")


class LeaderboardCsvApi(LeaderboardApi):
    """Every row of one leaderboard as CSV (the same filters and sort; no pagination)."""

    renderer_classes = [CSVRenderer]

    @extend_schema(
        parameters=[LeaderboardInput],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per result.")},
    )
    def get(self, request: Request, suite: str, benchmark: str, level: str) -> Response | HttpResponseBase:
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
        row["submission_url"] = url_for(row["submission_id"])
    body = {
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
            "category": query.category or None,
            "rank_field": query.rank_field,
            "tie_rule": TIE_RULE,
        },
        "count": count,
        "next": _page_url(request, query.page + 1) if has_next else None,
        "previous": _page_url(request, query.page - 1) if query.page > 1 else None,
        "results": rows,
    }
    return LeaderboardPageSerializer(body).data


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
    response["Content-Disposition"] = _csv_disposition(bench.suite.slug, bench.slug, lvl.slug)
    return response


_CSV_TYPE = "text/csv; charset=utf-8"


def _csv_disposition(suite: str, benchmark: str, level: str) -> str:
    return f'attachment; filename="{suite}-{benchmark}-{level}.csv"'


def _profile(asked: str | None) -> str:
    return "smoke" if asked == "smoke" else "full"
