"""Template helpers for showing questions: grounded times become seek links."""

from __future__ import annotations

import math
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from reviews.services.decisions import must_solve_first
from reviews.timeparse import TimeExpressionError, find_times, format_timestamp

register = template.Library()


@register.simple_tag(takes_context=True)
def key_hidden(context: template.Context, question: Any) -> bool:
    """Whether the signed-in person must answer `question` before seeing its key, rationale
    and evidence notes: every page that shows a question card asks here."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return True
    return must_solve_first(question, user)


@register.filter
def mmss(seconds: float | None) -> str:
    # A time that is not a finite, non-negative number (NaN stored before inputs were checked)
    # shows as missing rather than taking the whole page down.
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "–"
    return format_timestamp(seconds)


@register.filter
def seek_times(text: str) -> SafeString:
    """Escape `text` and turn every time expression in it into a link that seeks the player."""
    try:
        refs = find_times(text)
    except TimeExpressionError:
        refs = []
    pieces: list[str] = []
    position = 0
    for ref in refs:
        pieces.append(str(conditional_escape(text[position : ref.begin])))
        pieces.append(
            format_html(
                '<a href="#t={}" class="seek" data-seek="{}" title="Play from {}">{}</a>',
                f"{ref.start:g}",
                f"{ref.start:g}",
                format_timestamp(ref.start),
                text[ref.begin : ref.stop],
            )
        )
        position = ref.stop
    pieces.append(str(conditional_escape(text[position:])))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped


@register.filter
def get_item(mapping: object, key: str) -> object:
    """`mapping[key]`, or "" when absent (for dicts keyed by computed names)."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""


@register.filter
def split(text: str, separator: str) -> list[str]:
    return text.split(separator)


@register.filter
def mmss_exact(seconds: float | str | None) -> str:
    """`MM:SS` for whole seconds, `MM:SS.mmm` otherwise: exact, for editable fields."""
    if seconds is None or seconds == "":
        return ""
    value = float(seconds)
    if not math.isfinite(value) or value < 0:
        return ""
    whole = format_timestamp(value)
    fraction = round(value - int(value), 3)
    return whole if fraction == 0 else f"{whole}{f'{fraction:.3f}'[1:]}"
