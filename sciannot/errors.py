"""Error pages: the site's own 403, 404 and 500 pages in its layout, and JSON under /api/.

`DJANGO_DEBUG=1` (what `make run` uses) would otherwise answer an unknown address or a missing
object with Django's technical 404 page, which lists every URL pattern: `ErrorPagesMiddleware`
shows the site's page for those too, so a newcomer sees the same page as in production.
Django's technical 500 page stays in development for HTML pages (it shows the traceback a
developer needs); under /api/ every error is JSON (`{"detail": ...}`) in every mode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.template import loader
from rest_framework.response import Response
from rest_framework.views import exception_handler

from sciannot.seal import Sealed

logger = logging.getLogger(__name__)

NOT_FOUND_REASON = "There is no page at this address, or nothing you may open is here."


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _readable_reason(exception: Exception | None) -> str:
    """The message a view gave (`Http404("No such video.")`), or the general reason: Django's
    own messages name models and URL patterns, which say nothing to a reader."""
    message = exception.args[0] if exception is not None and exception.args else None
    if not isinstance(message, str) or not message or "matches the given query" in message:
        return NOT_FOUND_REASON
    return message


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    context = {"reason": _readable_reason(exception), "request_path": request.path}
    return render(request, "404.html", context, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A refusal with its reason (a blind-study seal names the study), as JSON under /api/."""
    reason = str(exception) if exception is not None else ""
    if _is_api(request):
        body: dict[str, object] = {"detail": reason or "You may not do this."}
        if isinstance(exception, Sealed):
            body["studies"] = exception.studies
        return JsonResponse(body, status=403)
    return render(request, "403.html", {"exception": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page in the site's layout; a bare page when even that cannot be drawn (the
    database that the navigation reads may be what failed)."""
    if _is_api(request):
        return JsonResponse({"detail": "Server error: the request was not completed."}, status=500)
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("the 500 page could not be rendered with the site's layout")
        return HttpResponse(loader.render_to_string("500_bare.html"), status=500)


class ErrorPagesMiddleware:
    """With DEBUG on, show the site's 404 page instead of Django's technical one (which lists
    the URL patterns). With DEBUG off Django calls `not_found` itself; this changes nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            # No URL pattern matched: Django drew its technical page.
            return not_found(request, None)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return not_found(request, exception)
        return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's answers, with the studies named when a blind-study seal refused the request."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, Sealed) and isinstance(response.data, dict):
        response.data["studies"] = exc.studies
    return response
