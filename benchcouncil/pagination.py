"""The API's pages: `page` and `page_size` within benchcouncil.params' bounds, else 400."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from .params import MAX_PAGE_SIZE, page_number, page_size


class CheckedPageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        try:
            return page_size(request.query_params.get(self.page_size_query_param), self.page_size or 50)
        except ValueError as exc:
            raise ValidationError({self.page_size_query_param: [str(exc)]}) from exc

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        try:
            number = page_number(request.query_params.get(self.page_query_param))
        except ValueError as exc:
            raise ValidationError({self.page_query_param: [str(exc)]}) from exc
        size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, size)
        if number > max(paginator.num_pages, 1):
            raise ValidationError(
                {self.page_query_param: [f"page {number} is past the last page ({paginator.num_pages})."]}
            )
        self.page: Page[Any] = paginator.page(number)
        self.request = request
        return list(self.page)
