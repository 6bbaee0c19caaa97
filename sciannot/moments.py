"""How the site writes a moment for people: one style everywhere, `2026-12-02 14:05 UTC`.

The time is shown in the active time zone (`TIME_ZONE`, UTC unless configured) with that
zone's name, so a reader never has to guess which clock a time is on. Pages use the `when`
template filter (`sciannot/templatetags/moments.py`); emails call `moment_text`. Files and
the API keep ISO 8601 (`2026-12-02T14:05:00Z`), which is for programs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def as_moment(value: object) -> datetime | None:
    """A datetime in the active time zone, from a datetime or an ISO 8601 string (as release
    manifests store it); None for anything else."""
    if isinstance(value, str):
        value = parse_datetime(value.strip())
    if not isinstance(value, datetime):
        return None
    if timezone.is_naive(value):
        # The database and the code keep UTC (USE_TZ); a naive value is read as such.
        value = timezone.make_aware(value, UTC)
    return timezone.localtime(value)


def moment_text(value: object) -> str:
    """`2026-12-02 14:05 UTC`; a date alone as `2026-12-02`; "" for nothing; an unreadable
    string as it is."""
    if value is None or value == "":
        return ""
    moment = as_moment(value)
    if moment is not None:
        return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
