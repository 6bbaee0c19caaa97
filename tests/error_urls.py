"""The site's URLs plus views that fail on purpose, for the error page tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from sciannot.urls import handler403, handler404, handler500
from sciannot.urls import urlpatterns as site_patterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure inside a view")


def denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("Only the owner may do this.")


urlpatterns = [
    path("boom/", boom),
    path("api/boom/", boom),
    path("api/denied/", denied),
    *site_patterns,
]
