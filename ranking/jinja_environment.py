"""The Jinja2 environment of the board template (templates/ranking/board.jinja).

The board, the part of a leaderboard page that is cached whole, is rendered by Django's Jinja2
backend: Django's template engine spends about 0.3 ms per row of twelve cells, which would about
double the cold top-50 page of benchmarks/leaderboard_load.py (benchmarks/README.md, "plain
Django"). These are the few helpers the template uses, named after the Django tags and filters
they stand for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import QueryDict
from django.template.defaultfilters import floatformat, pluralize
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import json_script
from jinja2 import Environment


def querystring(params: QueryDict, **changes: Any) -> str:
    """What {% querystring %} writes: the parameters with some changed, None removing one."""
    changed = params.copy()
    for name, value in changes.items():
        if value is None:
            changed.pop(name, None)
        elif isinstance(value, Iterable) and not isinstance(value, str):
            changed.setlist(name, list(value))
        else:
            changed[name] = str(value)
    if not changed and not params:
        return ""
    return f"?{changed.urlencode()}"


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def environment(**options: Any) -> Environment:
    # As Django's engine: a template's last newline is kept.
    env = Environment(**{"keep_trailing_newline": True, **options})  # noqa: S701 - the backend escapes
    env.globals.update(url=url, static=static, querystring=querystring)
    env.filters.update(floatformat=floatformat, pluralize=pluralize, json_script=json_script)
    return env
