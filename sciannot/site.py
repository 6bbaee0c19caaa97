"""Absolute links that management commands print, and what they say when SITE_URL is unset."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import OutputWrapper


def site_url(path: str) -> str:
    """`path` (starting with `/`) on the app's public address."""
    return settings.SITE_URL + path


def site_url_note(stderr: OutputWrapper) -> None:
    """Say on stderr that a printed link is a guess when SITE_URL is unset; stdout keeps the
    link itself, so scripts reading it still get an absolute URL."""
    if not getattr(settings, "SITE_URL_SET", False):
        stderr.write(
            f"note: SITE_URL is unset, so links use {settings.SITE_URL} (this machine); set "
            "SITE_URL to the address people reach the app at"
        )
