"""The request type of signed-in views: what the sign-in guard and django-htmx's middleware add.

A view behind `role_required` (or `login_required`) takes an `AuthenticatedHttpRequest`: its
`user` is a signed-in `User`, so the view hands `request.user` to services as it is, and
`request.htmx` is django-htmx's `HtmxDetails`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from sciannot.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
