"""What the video pages show of the layers above, given by those layers.

The list of videos shows each video's question counts (reviews) and, to curators, its latest
drafting job (drafting); a video's page lists its questions (reviews). This layer draws the
pages but knows nothing of questions or jobs: the apps that do register their part from their
`AppConfig.ready()`, as they register their seal and video scopes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet

from videos.models import Video

# Adds annotations to the list's queryset (before search and pagination).
ListAnnotation = Callable[[QuerySet[Video]], QuerySet[Video]]
# Sets attributes on the videos of one page of the list, for `user`.
RowsDecoration = Callable[[Any, Sequence[Video]], None]
# Context for a video's page, for `user`.
DetailContext = Callable[[Any, Video], dict[str, Any]]

_list_annotations: list[ListAnnotation] = []
_rows_decorations: list[RowsDecoration] = []
_detail_contexts: list[DetailContext] = []


def video_list_annotation_register(annotate: ListAnnotation) -> None:
    if annotate not in _list_annotations:
        _list_annotations.append(annotate)


def video_rows_decoration_register(decorate: RowsDecoration) -> None:
    if decorate not in _rows_decorations:
        _rows_decorations.append(decorate)


def video_detail_context_register(context: DetailContext) -> None:
    if context not in _detail_contexts:
        _detail_contexts.append(context)


def video_list_annotate(queryset: QuerySet[Video]) -> QuerySet[Video]:
    """The list's queryset with what the layers above count for each video."""
    for annotate in _list_annotations:
        queryset = annotate(queryset)
    return queryset


def video_rows_decorate(user: Any, videos: Sequence[Video]) -> None:
    """Attach to one page of videos what the layers above show `user` on each row."""
    for decorate in _rows_decorations:
        decorate(user, videos)


def video_detail_context(user: Any, video: Video) -> dict[str, Any]:
    """What the layers above show `user` on the video's page."""
    context: dict[str, Any] = {}
    for part in _detail_contexts:
        context.update(part(user, video))
    return context
