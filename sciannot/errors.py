"""Error pages: under /api/ errors answer JSON like the rest of the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found, permission_denied
from rest_framework.response import Response
from rest_framework.views import exception_handler

from sciannot.seal import Sealed


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A refusal with its reason (a blind-study seal names the study), as JSON under /api/."""
    if request.path.startswith("/api/"):
        body: dict[str, object] = {"detail": str(exception) or "You may not do this."}
        if isinstance(exception, Sealed):
            body["studies"] = exception.studies
        return JsonResponse(body, status=403)
    return permission_denied(request, exception)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's answers, with the studies named when a blind-study seal refused the request."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, Sealed) and isinstance(response.data, dict):
        response.data["studies"] = exc.studies
    return response
