"""The one permission layer: which role may do what, and which rows a person may see.

Pages, API views, media views and exports all ask here, so the rules cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.permissions import BasePermission

from sciannot.accounts.models import Role, User

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from reviews.models import Question
    from videos.models import Video

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def has_role(user: Any, *roles: str) -> bool:
    """True when `user` is signed in, active, and has one of `roles` (superusers: curator)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = Role.CURATOR if user.is_superuser else user.role
    return role in roles


def scope_q(user: User, prefix: str = "") -> Q:
    """Rows (videos or questions) a reviewer covers: discipline OR category in their list."""
    names = [name for name in user.disciplines if isinstance(name, str)]
    if not names:
        return Q(pk__in=[])
    return Q(**{f"{prefix}discipline__in": names}) | Q(**{f"{prefix}category__in": names})


def visible_questions(user: Any, queryset: QuerySet[Question]) -> QuerySet[Question]:
    """Narrow a queryset of questions to those `user` may see."""
    if has_role(user, Role.CURATOR):
        return queryset
    if has_role(user, Role.REVIEWER):
        return queryset.filter(scope_q(user))
    # Evaluators see released items only through their baseline studies, never here.
    return queryset.none()


# Videos a role may see by a rule of a higher layer (`Q` on Video, for a user), registered by
# that layer's `AppConfig.ready()`; a role without one sees none this way.
VideoScope = Callable[[Any], Q]
_video_scopes: dict[str, VideoScope] = {}


def video_scope_register(role: str, scope: VideoScope) -> None:
    """Let a higher layer say which videos people of `role` may see and stream."""
    _video_scopes[role] = scope


def visible_videos(user: Any, queryset: QuerySet[Video]) -> QuerySet[Video]:
    """Narrow a queryset of videos to those `user` may see (and stream)."""
    if has_role(user, Role.CURATOR):
        return queryset
    if has_role(user, Role.REVIEWER):
        # A reviewer sees a video in their field, or one with a question in their field
        # (a video's own discipline may be blank when only its questions name one).
        from reviews.models import Question

        question_video_ids = Question.objects.filter(scope_q(user)).values("video_id")
        return queryset.filter(scope_q(user) | Q(pk__in=question_video_ids))
    if has_role(user, Role.EVALUATOR):
        # Only the videos of their open baseline studies that show the video: the studies'
        # app says which, through the scope it registers (this layer knows nothing of studies).
        scope = _video_scopes.get(Role.EVALUATOR)
        return queryset.filter(scope(user)) if scope is not None else queryset.none()
    return queryset.none()


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
