"""The board's filter form, rendered by the board's Jinja2 template, offers exactly what Form.as_p would."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string

from ranking.forms import LeaderboardForm
from ranking.models import Leaderboard


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, whitespace left out."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.items.append((tag, sorted(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.items.append(("text", data.strip()))


def filter_form_html(form: LeaderboardForm) -> str:
    return render_to_string("ranking/board_form.jinja", {"form": form}, using="jinja2")


def parsed(html: str) -> list[tuple]:
    parser = Elements()
    parser.feed(str(html))
    return parser.items


BOARD = Leaderboard(
    facets={"accelerator": ["A<b & c", "H100"], "framework": ["JAX 0.4"], "organization": ['Lab "X"']}
)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "accelerator=H100&sort=-score&as_of=2026-01-02&page=2",
        "accelerator=A%3Cb+%26+c&organization=Lab+%22X%22&category=preview&framework=JAX+0.4",
    ],
)
def test_it_renders_the_filter_form_as_as_p_would(query: str) -> None:
    form = LeaderboardForm(QueryDict(query), board=BOARD)
    form.board_query()
    assert parsed(filter_form_html(form)) == parsed(form.as_p())


def test_it_leaves_a_form_with_errors_to_as_p() -> None:
    form = LeaderboardForm(QueryDict("as_of=yesterday&accelerator=nope"), board=BOARD)
    form.board_query()
    html = filter_form_html(form)
    assert html == str(form.as_p())
    assert "Enter a valid date." in html
