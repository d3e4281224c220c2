"""Public pages: the home page over every suite, and one page per leaderboard."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from benchcouncil.params import bad_request

from . import cache as board_cache
from .forms import LeaderboardForm, board_param_problems
from .models import Benchmark, Leaderboard, Level
from .presentation import (
    AGGREGATION_LABELS,
    chart_data,
    decorate,
    filter_form_html,
    score_unit,
    table_rows,
)
from .selectors import (
    BoardPage,
    board_target,
    home_boards,
    leaderboard_get,
    leaderboard_page,
    leaderboard_unranked,
    leaderboard_version,
    runs_curves,
)
from .services import TIE_RULE

# Curves of the first rows only: a page of 50 submissions x 5 runs would be unreadable.
CURVE_ROWS = 10

COLUMNS = [
    # (sort key or "", label, numeric)
    ("rank", "Rank", True),
    ("organization", "Organization", False),
    ("system", "System", False),
    ("accelerators", "Accelerators", True),
    ("nodes", "Nodes", True),
    ("framework", "Framework", False),
    ("score", "Score", True),
    ("time", "Time (min)", True),
    ("quality", "Quality", True),
    ("", "Runs (spread)", False),
    ("", "Provenance", False),
    ("date", "Published", False),
]


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ranking/home.html", {"suites": home_boards()})


def leaderboard(request: HttpRequest, suite: str, benchmark: str, level: str) -> HttpResponse:
    problems = board_param_problems(request.GET)
    if problems:
        return bad_request(request, " ".join(problems))
    profile = "smoke" if request.GET.get("profile") == "smoke" else "full"
    # The narrow lookup first: it is all a reader answered from the cache costs the database.
    version = leaderboard_version(suite=suite, benchmark=benchmark, level=level, profile=profile)
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
    # Rendering needs the whole board. Read after the version it is never older than the key
    # it is stored under, so no reader gets a board older than the version it has just read.
    board = None
    if version is not None:
        board = leaderboard_get(suite=suite, benchmark=benchmark, level=level, profile=profile)
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
    rows = decorate(bench, page.rows)
    curves = runs_curves(submission_ids=[r["submission_id"] for r in rows[:CURVE_ROWS]]) if rows else []
    unranked = (
        leaderboard_unranked(board=board)
        if board is not None and board.unranked_count and page.number == 1 and query.as_of is None
        else []
    )
    html = render_to_string(
        "ranking/_board.html",
        {
            "board": board,
            "benchmark": bench,
            "suite": bench.suite,
            "level": lvl,
            "profile": profile,
            "form": form,
            "form_html": filter_form_html(form),
            "query": query,
            "page": page,
            "rows": rows,
            "table_rows": table_rows(rows),
            "unranked": unranked,
            "unit": score_unit(bench),
            "columns": _columns(query.sort, request.GET),
            "chart": chart_data(bench, rows, curves),
            "tie_rule": TIE_RULE,
            "aggregation": AGGREGATION_LABELS.get(bench.aggregation, bench.aggregation),
        },
        # For {% querystring %}: the fragment's links read the request's parameters, no more.
        request=request,
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


def _columns(sort: str, params: QueryDict) -> list[dict[str, object]]:
    """Header cells with the link that sorts by them (ascending first, then descending).

    The link is what {% querystring sort=... page=None %} would write, built here: twelve
    template tags were a tenth of the board's rendering."""
    columns = []
    for key, label, numeric in COLUMNS:
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else "none"
        following = f"-{key}" if sort == key else key
        href = ""
        if key:
            link = params.copy()
            link["sort"] = following
            link.pop("page", None)
            href = f"?{link.urlencode()}"
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "next": following,
                "href": href,
                "state": state if key else "",
            }
        )
    return columns
