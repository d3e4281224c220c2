"""Public pages: the home page over every suite, and one page per leaderboard."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from benchcouncil.params import bad_request
from catalogue.models import Benchmark, Level

from . import cache as board_cache
from .board_table import (
    CATEGORY_LABELS,
    DECLARED_FLOPS,
    board_columns,
    flops_declared,
    hardware_label,
    header_cells,
    score_label,
)
from .forms import LeaderboardForm, board_param_problems
from .models import Leaderboard
from .presentation import (
    AGGREGATION_LABELS,
    chart_data,
    decorate,
    score_unit,
)
from .selectors import (
    BoardPage,
    board_target,
    home_boards,
    leaderboard_page,
    leaderboard_unranked,
    runs_curves,
)
from .services import TIE_RULE
from .system_selectors import with_cpu_cores

# Curves of the first rows only: a page of 50 submissions x 5 runs would be unreadable.
CURVE_ROWS = 10


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ranking/home.html", {"suites": home_boards()})


def leaderboard(request: HttpRequest, suite: str, benchmark: str, level: str) -> HttpResponse:
    problems = board_param_problems(request.GET)
    if problems:
        return bad_request(request, " ".join(problems))
    profile = "smoke" if request.GET.get("profile") == "smoke" else "full"
    # The narrow lookup first: it is all a reader answered from the cache costs the database.
    version = board_cache.board_version(suite=suite, benchmark=benchmark, level=level, profile=profile)
    key = None
    if version is not None:
        key = board_cache.board_key(request, version, kind="board", allowed=board_cache.PAGE_PARAMS)
    # A reader with no session and no pending message gets the same bytes as every other one:
    # the whole page is cached and public. A signed-in reader's header is theirs alone, so
    # only the board inside it comes from the cache.
    public = key is not None and not request.user.is_authenticated and not _has_messages(request)
    page_key = f"{key}:page" if key else ""
    if public:
        assert version is not None
        stored = board_cache.stored_response(request, page_key, version)
        if stored is not None:
            return stored  # type: ignore[return-value]

    fragment = board_cache.get(key) if key else None
    # The board rendered is the version the key was made of (its rows are read after it).
    board = version
    if board is None:
        # A catalogue board nothing was published on yet: an empty page, not a 404.
        target = board_target(suite=suite, benchmark=benchmark, level=level)
        if target is None:
            raise Http404("No such leaderboard.")
        bench, lvl = target
        return _page(request, bench, lvl, _render_board(request, None, bench, lvl, profile))
    bench, lvl = board.benchmark, board.level
    if fragment is None:
        fragment = _render_board(request, board, bench, lvl, profile)
        # Past the last page every page number is the same empty one: not worth a key each.
        if key and (fragment["has_rows"] or "page" not in request.GET):
            board_cache.put(key, fragment)
    response = _page(request, bench, lvl, fragment)
    if public and not _touched_reader_state(request, response):
        assert version is not None
        board_cache.put(page_key, response.content)
        board_cache.mark_public(response, page_key, version)
    else:
        board_cache.mark_private(response)
    return response


def _page(request: HttpRequest, bench: Benchmark, lvl: Level, fragment: dict[str, Any]) -> HttpResponse:
    """The site's shell (header, messages) around a rendered board."""
    context = {"suite": bench.suite, "benchmark": bench, "level": lvl, **fragment}
    return render(request, "ranking/leaderboard.html", context)


def _render_board(
    request: HttpRequest, board: Leaderboard | None, bench: Benchmark, lvl: Level, profile: str
) -> dict[str, Any]:
    """The board's HTML (everything in the page's content block) and whether it has rows."""
    form = LeaderboardForm(request.GET, board=board)
    query = form.board_query()
    if board is None:
        page = BoardPage(rows=[], number=1, has_next=False, total=0)
    else:
        page = leaderboard_page(board=board, query=query)
    rows = with_cpu_cores(decorate(bench, page.rows))
    for row in rows:
        row["hardware"] = hardware_label(row)
        row["flops_declared"] = flops_declared(lvl, bench, row, profile)
    columns = board_columns(bench)
    curves = runs_curves(submission_ids=[r["submission_id"] for r in rows[:CURVE_ROWS]]) if rows else []
    unranked = (
        leaderboard_unranked(board=board)
        if board is not None and board.unranked_count and page.number == 1 and query.as_of is None
        else []
    )
    html = render_to_string(
        "ranking/board.jinja",
        {
            "board": board,
            "benchmark": bench,
            "suite": bench.suite,
            "level": lvl,
            "profile": profile,
            "form": form,
            "params": request.GET,
            "query": query,
            "page": page,
            "rows": rows,
            "labels": {c.key or c.label: c.label for c in columns},
            "category_labels": CATEGORY_LABELS,
            "declared_flops": any(r["flops_declared"] for r in rows),
            "declared_flops_title": DECLARED_FLOPS,
            "categories": _categories(board, query.category, request.GET),
            "category_label": CATEGORY_LABELS.get(query.category, ""),
            "unranked": unranked,
            "unit": score_unit(bench),
            "columns": header_cells(columns, query.sort),
            # The score's heading names its unit once, the charts' axes as the table's column.
            "chart": {**chart_data(bench, rows, curves), "score_label": score_label(bench)},
            "tie_rule": TIE_RULE,
            "aggregation": AGGREGATION_LABELS.get(bench.aggregation, bench.aggregation),
        },
        using="jinja2",
    )
    return {"board_html": mark_safe(html), "has_rows": bool(rows)}  # noqa: S308 - a rendered template


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _touched_reader_state(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether rendering the shell used anything of this reader's (a CSRF token, the session):
    then the page must not be shared, whatever base.html comes to contain."""
    session = getattr(request, "session", None)
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or (session is not None and session.modified)
        or response.cookies
    )


def _categories(board: Leaderboard | None, current: str, params: QueryDict) -> list[dict[str, object]]:
    """The board's availability categories as tabs, each with its count and its link."""
    counts = board.category_counts if board is not None else {}
    tabs = []
    for value, label in CATEGORY_LABELS.items():
        link = params.copy()
        link["category"] = value
        for name in ("page", "accelerator", "framework", "organization"):
            link.pop(name, None)  # another category's facets differ: start it unfiltered
        tabs.append(
            {
                "value": value,
                "label": label,
                "count": counts.get(value, 0),
                "current": value == current,
                "href": f"?{link.urlencode()}",
            }
        )
    return tabs
