"""Template helpers for the sign-in lockout page."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def in_minutes(value: timedelta | None) -> str:
    """A cool-off as people say it: "15 minutes", "1 minute", "2 hours"."""
    if value is None:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
