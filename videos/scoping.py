"""Which videos a person may see and stream: the per-row half of the permission layer.

Roles themselves live in `sciannot.accounts.permissions`; this module narrows querysets of
videos by role. The rules that need a higher layer's data (a reviewer also sees the videos of
the questions in their field; an evaluator sees the videos of their open studies) are given by
that layer, which registers them from its `AppConfig.ready()`: this layer knows nothing of
questions or studies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from sciannot.accounts.models import Role, User
from sciannot.accounts.permissions import has_role
from videos.models import Video

# Videos a role may see beyond a curator's "all" (`Q` on Video, for a user); a role without a
# registered scope sees none.
VideoScope = Callable[[Any], Q]
_video_scopes: dict[str, VideoScope] = {}


def scope_q(user: User, prefix: str = "") -> Q:
    """Rows (videos or questions) a reviewer covers: discipline OR category in their list."""
    names = [name for name in user.disciplines if isinstance(name, str)]
    if not names:
        return Q(pk__in=[])
    return Q(**{f"{prefix}discipline__in": names}) | Q(**{f"{prefix}category__in": names})


def video_scope_register(role: str, scope: VideoScope) -> None:
    """Let a higher layer say which videos people of `role` may see and stream."""
    _video_scopes[role] = scope


def visible_videos(user: Any, queryset: QuerySet[Video]) -> QuerySet[Video]:
    """Narrow a queryset of videos to those `user` may see (and stream)."""
    if has_role(user, Role.CURATOR):
        return queryset
    for role in (Role.REVIEWER, Role.EVALUATOR):
        if has_role(user, role):
            scope = _video_scopes.get(role)
            return queryset.filter(scope(user)) if scope is not None else queryset.none()
    return queryset.none()
