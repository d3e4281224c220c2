"""The leaderboard cache: every caching of a board is here.

What it caches:
- whole renderings of a board: the page's board fragment, the anonymous page, the JSON and
  CSV answers (Django's cache: LocMemCache per process, or the shared CACHE_URL one);
- per process, each board's version (`board_version`): the board a URL names, with its
  benchmark, suite and level, reused for LEADERBOARD_VERSION_TTL_S so that an answer from the
  cache costs no database round trip.

Keys: `board_key` makes one of the board's version (its `changed_at`, set by ranking.services
in the same transaction as every change of its rows), the representation, the request's
parameters, the catalogue version and a digest of the code and templates that render boards.
Only requests whose every parameter is one the board offers are cached (a filter value among
the board's facets, a known sort, a canonical page number or date), so that arbitrary query
strings cannot fill the cache; anything else takes the uncached path, which gives the same
answer.

Invalidation: none is needed for renderings. A change makes a new version, hence a new key;
keys no longer asked for expire after TIMEOUT_S. A process's remembered versions are dropped
when it commits a change itself (`forget_versions`, run by ranking.services on commit), so its
next request reads the new one; a change committed by another process (the worker's
recompute) is seen within the TTL.

The board a request renders is the version its key was made of: a rendering is never older
than the key it is stored under, and a request the cache cannot answer reads only its rows.

Interface: board_version, forget_versions, board_key, get, put, stored_response, mark_public,
mark_private (and PAGE_PARAMS, API_PARAMS: what a board URL understands).
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, urlencode

from submissions.models import Availability

from . import selectors
from .models import Leaderboard

# Parameters a board URL understands; the JSON endpoint also takes DRF's ?format=.
PAGE_PARAMS = ("profile", "category", "accelerator", "framework", "organization", "sort", "page", "as_of")
API_PARAMS = (*PAGE_PARAMS, "format")

# Dead keys only waste memory: they expire after this long.
TIMEOUT_S = 15 * 60
# Browsers and shared caches may reuse a board this long without asking; after that a
# conditional request costs a 304.
MAX_AGE_S = 30
# Bigger bodies (the CSV of a large board) are served uncached: an in-memory cache counts
# entries, not bytes, so this bounds its size (300 entries by default, at most 75 MiB).
MAX_BODY_BYTES = 256 * 1024

_CATEGORIES = frozenset(Availability.values)
_SORTS = frozenset([*selectors.SORTS, *(f"-{key}" for key in selectors.SORTS)])
_PAGE = re.compile(r"[1-9][0-9]{0,5}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# What shapes a rendering besides the data: a deploy that changes any of these never serves a
# board rendered by the previous release from a shared cache.
_RENDERING_FILES = (
    "ranking/cache.py",
    "ranking/views.py",
    "ranking/api.py",
    "ranking/presentation.py",
    "ranking/csv_export.py",
    "ranking/selectors.py",
    "ranking/forms.py",
    "ranking/board_table.py",
    "ranking/jinja_environment.py",
    "templates/base.html",
    "templates/ranking/leaderboard.html",
    "templates/ranking/board.jinja",
    "templates/ranking/board_form.jinja",
    "templates/ranking/board_rows.jinja",
)


def _release_digest() -> str:
    digest = hashlib.blake2b(digest_size=8)
    root = Path(settings.BASE_DIR)
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"  # hashed static names
    for path in [*(root / name for name in _RENDERING_FILES), manifest]:
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(path.name.encode())
    return digest.hexdigest()


RELEASE = _release_digest()


def board_version(*, suite: str, benchmark: str, level: str, profile: str) -> Leaderboard | None:
    """The version of the board a URL names, as this process read it less than
    LEADERBOARD_VERSION_TTL_S ago; with a TTL of 0, read on every request (one query).

    Kept because benchmarks/leaderboard_load.py measured it: reading the version on every
    request left the warm top-50 JSON at 3.2x the bare query, beyond the 3x target; reused, a
    cached answer costs no round trip and met it (2.5x). See benchmarks/README.md.
    """
    ttl = settings.LEADERBOARD_VERSION_TTL_S
    key = (suite, benchmark, level, profile)
    now = _clock()
    recent = _recent_versions.get(key) if ttl > 0 else None
    if recent is not None and now - recent[0] < ttl:
        return recent[1]
    board = selectors.leaderboard_get(suite=suite, benchmark=benchmark, level=level, profile=profile)
    if board is not None and ttl > 0:  # a URL naming no board must not grow the memory
        _recent_versions[key] = (now, board)
    return board


def forget_versions() -> None:
    """Read every board's version afresh: this process has just changed a board."""
    _recent_versions.clear()


# (suite, benchmark, level, profile) -> (when read, the board's version), for this process.
# Bounded by the boards that exist. Replacing or clearing entries is atomic under the GIL.
_recent_versions: dict[tuple[str, str, str, str], tuple[float, Leaderboard]] = {}
_clock = time.monotonic


def board_query_string(params: QueryDict, board: Leaderboard, allowed: Collection[str]) -> str | None:
    """The request's parameters, in their order, when all of them can be cached; else None."""
    parts = []
    for name in params:
        values = params.getlist(name)
        if name not in allowed or len(values) != 1 or not _cacheable(name, values[0], board):
            return None
        parts.append((name, values[0]))
    return urlencode(parts)


def _cacheable(name: str, value: str, board: Leaderboard) -> bool:
    if value == "":
        return name not in ("page", "format")
    if name in ("accelerator", "framework", "organization"):
        return value in (board.facets or {}).get(name, ())
    if name == "category":
        return value in _CATEGORIES
    if name == "sort":
        return value in _SORTS
    if name == "page":
        return _PAGE.fullmatch(value) is not None
    if name == "as_of":
        if _DATE.fullmatch(value) is None:
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if name == "profile":
        return value == board.profile
    if name == "format":
        return value in ("json", "csv")
    return False


def board_key(request: HttpRequest, board: Leaderboard, *, kind: str, allowed: Collection[str]) -> str | None:
    """The cache key (also the ETag's value) of one rendering of a board, or None if uncacheable."""
    if request.method not in ("GET", "HEAD") or board.changed_at is None:
        return None
    query = board_query_string(request.GET, board, allowed)
    if query is None:
        return None
    parts = (
        RELEASE,
        kind,
        str(board.pk),
        board.changed_at.isoformat(),
        board.benchmark.catalogue_version,
        str(selectors.PER_PAGE),
        # JSON and CSV carry absolute links.
        request.scheme or "",  # typed optional; a served request always has one
        request.get_host(),
        query,
    )
    return "leaderboard:" + hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def get(key: str) -> Any:
    return cache.get(key)


def put(key: str, value: Any) -> None:
    if isinstance(value, bytes | str) and len(value) > MAX_BODY_BYTES:
        return
    cache.set(key, value, TIMEOUT_S)


def etag(key: str) -> str:
    """A strong validator: the key names one rendering exactly (prefix left out)."""
    return '"' + key.removeprefix("leaderboard:").replace(":", "-") + '"'


def last_modified(board: Leaderboard) -> int | None:
    """The board's Last-Modified (epoch seconds), rounded up; None within its change's second.

    HTTP dates have whole seconds. Rounded up and sent only once that second has passed, any
    later change falls after it, so If-Modified-Since never answers 304 across a change of the
    board. It follows the data only: a client revalidating by date alone keeps its rendering
    across a release that renders boards differently (the ETag, which browsers send, changes).
    """
    assert board.changed_at is not None
    rounded = math.ceil(board.changed_at.timestamp())
    return rounded if timezone.now().timestamp() >= rounded else None


def not_modified(request: HttpRequest, key: str, board: Leaderboard) -> HttpResponseBase | None:
    """A 304 when the client's copy (by ETag, else by date) is this rendering."""
    response = get_conditional_response(request, etag=etag(key), last_modified=last_modified(board))
    if response is not None:
        mark_public(response, key, board)
    return response


def stored_response(
    request: HttpRequest, key: str, board: Leaderboard, **response_kwargs: Any
) -> HttpResponseBase | None:
    """The rendering stored under `key`, as a public response (HttpResponse's keyword
    arguments: its content type, headers), or a 304 for the client's copy of it; None when
    nothing is stored."""
    unchanged = not_modified(request, key, board)
    if unchanged is not None:
        return unchanged
    body = get(key)
    if body is None:
        return None
    response = HttpResponse(body, **response_kwargs)
    mark_public(response, key, board)
    return response


def mark_public(response: HttpResponseBase, key: str, board: Leaderboard) -> None:
    """Validators and a short public lifetime: the same bytes for every reader."""
    response["ETag"] = etag(key)
    modified = last_modified(board)
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    patch_cache_control(response, public=True, max_age=MAX_AGE_S)


def mark_private(response: HttpResponseBase) -> None:
    """A page with a reader's own parts (a signed-in header): no shared cache may keep it."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
