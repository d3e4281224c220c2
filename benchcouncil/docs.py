"""Pages rendered from the Markdown under docs/: the bundle format, which findings link to.

markdown-it-py renders CommonMark with raw HTML off, so a document's text is escaped and
never runs as markup on the site.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from markdown_it import MarkdownIt

DOCS_DIR = Path(settings.BASE_DIR) / "docs"


@cache
def _renderer() -> MarkdownIt:
    # "js-default": CommonMark with html off and links restricted to safe schemes, plus tables.
    return MarkdownIt("js-default").enable("table")


def render_markdown(text: str) -> SafeString:
    return mark_safe(_renderer().render(text))  # noqa: S308 - raw HTML is off: the renderer escapes it


def _document(name: str) -> tuple[str, SafeString]:
    text = (DOCS_DIR / name).read_text("utf-8")
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), name)
    return title, render_markdown(text)


@require_GET
def bundle_format(request: HttpRequest) -> HttpResponse:
    title, body = _document("bundle-format.md")
    return render(request, "docs/page.html", {"title": title, "body": body})
