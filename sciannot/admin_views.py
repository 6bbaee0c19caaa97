"""Admin building blocks shared by the apps."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import admin
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from sciannot.seal import seal_check_any

ViewType = TypeVar("ViewType", bound=Callable[..., HttpResponseBase])


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records to look at in the admin, never to add, change or delete there (job records,
    call logs, frozen releases)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SealedAdminSite(admin.AdminSite):
    """The admin shows every key (options, revisions, LLM calls, release files), so nobody
    answering an open blind study may open any of it, whatever their role has become."""

    def admin_view(self, view: ViewType, cacheable: bool = False) -> ViewType:
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def sealed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            # Others go to the admin's sign-in page as before; only admins can see keys here.
            if self.has_permission(request):
                seal_check_any(user=request.user, what="the admin")
            return inner(request, *args, **kwargs)

        return sealed  # type: ignore[return-value]
