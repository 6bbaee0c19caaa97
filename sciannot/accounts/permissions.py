"""Roles: the one check of who may do what (`has_role`), for function views (`role_required`)
and DRF views (`HasRole`).

Pages, API views, media views, exports and templates (the `role` filter) all ask here, so the
rule cannot drift apart. Which rows a person may see is each app's own business: videos in
`videos.scoping`, questions in `reviews.selectors`, studies in `baselines`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.permissions import BasePermission

from sciannot.accounts.models import Role

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def has_role(user: Any, *roles: str) -> bool:
    """True when `user` is signed in, active, and has one of `roles` (superusers: curator)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = Role.CURATOR if user.is_superuser else user.role
    return role in roles


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a function view: anonymous users go to the login page, wrong roles get 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


class HasRole(BasePermission):
    """DRF permission: the view lists its allowed roles in `allowed_roles`."""

    message = "Your role does not give access to this resource."

    def has_permission(self, request: Request, view: APIView) -> bool:
        allowed: tuple[str, ...] = getattr(view, "allowed_roles", ())
        return has_role(request.user, *allowed)
