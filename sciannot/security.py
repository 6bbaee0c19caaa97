"""Security plumbing that Django does not ship: the Permissions-Policy header, and the
client address that login throttling counts failures against."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class PermissionsPolicyMiddleware:
    """Add `Permissions-Policy` (settings.PERMISSIONS_POLICY) to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy: str = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


def _parse(value: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from, as far as it can be believed.

    `X-Forwarded-For` is anyone's to write, so it counts only when the direct peer is one of
    settings.TRUSTED_PROXIES. Then the header is read from the right, each hop a trusted
    proxy added, and the first address no trusted proxy vouches for is the client's; an
    entry that is not an address ends the walk at the last hop that was believed.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    peer = _parse(remote)
    if peer is None:
        return remote or None
    if not _trusted(peer):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _parse(hop)
        if address is None:
            break
        client = address
        if not _trusted(address):
            break
    return str(client)


# django-axes stores the name tried in a 255-character column: a longer one (anyone can type
# it into the sign-in form) would make the failed sign-in a database error instead of a
# refusal. No account has a longer name, so the cut changes no lockout that matters.
AXES_USERNAME_MAX = 255


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The user name a sign-in attempt is counted under, cut to what axes can store."""
    source: Any = credentials if credentials else request.POST
    username = source.get(getattr(settings, "AXES_USERNAME_FORM_FIELD", "username"), None)
    if username is None:
        return None
    return str(username)[:AXES_USERNAME_MAX]
