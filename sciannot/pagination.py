"""Pagination that does not count a 100,000-row table on every request.

The total is cached briefly and only ever shown; which rows a page holds, and whether there is
a next page, come from the rows themselves (a page reads one row more than it shows), so a
row saved a moment ago appears on the very next request.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_TTL_SECONDS = 30


def _key(prefix: str, queryset: Any) -> str | None:
    try:
        sql, params = queryset.query.sql_with_params()
    except Exception:  # an empty queryset (EmptyResultSet): nothing worth caching
        return None
    return f"{prefix}:" + hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()


def cached_count(queryset: Any, ttl: int = COUNT_TTL_SECONDS) -> int:
    """`queryset.count()`, remembered for `ttl` seconds per distinct SQL query.

    A list's total may lag a few seconds behind the data; its rows never do.
    """
    key = _key("count", queryset)
    value = cache.get(key) if key else None
    if value is None:
        value = int(queryset.count())
        if key:
            cache.set(key, value, ttl)
    return int(value)


def cached_rows(queryset: Any, ttl: int = COUNT_TTL_SECONDS) -> list[Any]:
    """The rows of a small aggregate query (e.g. counts per status), remembered briefly."""
    key = _key("rows", queryset)
    value = cache.get(key) if key else None
    if value is None:
        value = list(queryset)
        if key:
            cache.set(key, value, ttl)
    return list(value)


class FreshPage(Page):
    """A page whose neighbours are known from its rows, not from the (cached) total."""

    def __init__(self, object_list: Any, number: int, paginator: Paginator, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def next_page_number(self) -> int:
        if not self.more:
            raise EmptyPage("That page contains no results")
        return self.number + 1

    def start_index(self) -> int:
        if not self.object_list:
            return 0
        return int(self.paginator.per_page) * (self.number - 1) + 1

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class CachedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        """The total, possibly a few seconds old: for display only, never to bound a page."""
        return cached_count(self.object_list)

    def validate_number(self, number: Any) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            value = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if value < 1:
            raise EmptyPage("That page number is less than 1")
        return value

    def page(self, number: Any) -> FreshPage:
        number = self.validate_number(number)
        per_page = int(self.per_page)
        bottom = (number - 1) * per_page
        rows = list(self.object_list[bottom : bottom + per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return FreshPage(rows[:per_page], number, self, more=len(rows) > per_page)

    def get_page(self, number: Any) -> FreshPage:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            # Past the end: the last page by the total, or the first if that is stale.
            try:
                return self.page(max(1, int(self.num_pages)))
            except EmptyPage:
                return self.page(1)


class QuestionPagination(PageNumberPagination):
    django_paginator_class = CachedCountPaginator
    page_size = 100

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                # `?page=` is the first page, as DRF reads it; a page past the end is a 404.
                parameter["allowEmptyValue"] = True
        return parameters
