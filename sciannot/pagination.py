"""Pagination that does not count a 100,000-row table on every request."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
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


class CachedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return cached_count(self.object_list)


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
