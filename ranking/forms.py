"""The leaderboard's GET form: filters, sort and a past date, all in the URL so links share."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from benchcouncil.params import check_as_of, page_number
from submissions.models import Availability

from .models import Leaderboard
from .selectors import SORTS, BoardQuery

DEFAULT_CATEGORY = Availability.AVAILABLE.value
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


class LeaderboardForm(forms.Form):
    # Availability categories are ranked apart, as MLPerf keeps them: a page shows one
    # category's ranks, the available systems' unless another is asked for.
    category = forms.ChoiceField(required=False, choices=Availability.choices, widget=forms.HiddenInput)
    accelerator = forms.ChoiceField(required=False, widget=forms.Select)
    framework = forms.ChoiceField(required=False, widget=forms.Select)
    organization = forms.ChoiceField(required=False, widget=forms.Select)
    as_of = forms.DateField(
        required=False,
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The board as it stood at the end of this day (UTC).",
        validators=[lambda day: _checked(check_as_of, day)],
    )
    # Kept across a filter change; the page is not (new filters start at page 1).
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)

    def __init__(self, *args: object, board: Leaderboard | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        facets = board.facets if board is not None else {}
        for name in ("accelerator", "framework", "organization"):
            # A callable: Django normalizes the choices when they are read (the page lists them
            # once) instead of once for the field and again for its widget; a board offers
            # hundreds of organizations.
            self.fields[name].choices = partial(_facet_choices, facets.get(name, []))  # type: ignore[attr-defined]

    def board_query(self) -> BoardQuery:
        """The valid part of what was asked: an unknown value is ignored, never an error page."""
        self.is_valid()
        data = self.cleaned_data
        return BoardQuery(
            accelerator=data.get("accelerator") or "",
            framework=data.get("framework") or "",
            organization=data.get("organization") or "",
            category=data.get("category") or DEFAULT_CATEGORY,
            sort=data.get("sort") or "rank",
            page=_page(self.data.get("page")),
            as_of=data.get("as_of"),
        )


def _facet_choices(values: list[str]) -> list[tuple[str, str]]:
    return [("", "Any"), *((v, v) for v in values)]


def _page(raw: object) -> int:
    try:
        return page_number(None if raw is None else str(raw))
    except ValueError:
        return 1


def _checked(check: Any, value: Any) -> Any:
    try:
        return check(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def board_param_problems(params: Any) -> list[str]:
    """What makes a board address unanswerable (a page or a date out of range): a 400, with
    these messages. Unknown filter and sort values are not among them: they are ignored."""
    problems = []
    try:
        page_number(params.get("page"))
    except ValueError as exc:
        problems.append(str(exc))
    as_of = LeaderboardForm.base_fields["as_of"]
    try:
        as_of.clean(params.get("as_of") or None)
    except ValidationError as exc:
        problems.extend(f"as_of: {message}" for message in exc.messages)
    return problems
