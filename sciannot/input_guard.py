"""Refuse hostile requests before any view runs, and keep every API refusal JSON.

NUL characters cannot be stored in PostgreSQL text and have no business in a URL, a filter,
a form field, a file name or a JSON value: such a request answers 400 here, so no view has
to remember it. JSON bodies nested deeper than `INPUT_JSON_MAX_DEPTH` are refused the same
way (Python's parser would recurse until it crashed). Under /api/, a 4xx that Django itself
or 5xx that Django itself renders as HTML (its debug pages with `DJANGO_DEBUG=1`) is turned
into the API's JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

from sciannot.inputs import NUL, InputInvalid, has_nul, json_loads

# Pages whose script speaks JSON with errors as {"error": "..."} (the browser uploads).
_ERROR_KEY_PREFIXES = ("/videos/uploads/",)


def refusal(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    """A 4xx answer in the form the caller reads: JSON under /api/ and for the upload
    script, a page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    if request.path.startswith(_ERROR_KEY_PREFIXES):
        return JsonResponse({"error": message}, status=status)
    return render(request, "400.html", {"message": message}, status=status)


def _multi_has_nul(values: MultiValueDict[str, object]) -> bool:
    return any(has_nul(key) or has_nul(value) for key, value in values.lists())


def hostile_input(request: HttpRequest) -> str | None:
    """Why this request cannot be served, or None."""
    if NUL in request.path_info:
        return "The address contains a NUL character (%00)."
    if _multi_has_nul(request.GET):  # type: ignore[arg-type]
        return "A filter contains a NUL character."
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if request.method == "POST":
                if _multi_has_nul(request.POST):  # type: ignore[arg-type]
                    return "A form field contains a NUL character."
                names = [f.name or "" for files in request.FILES.lists() for f in files[1]]
                if any(has_nul(name) for name in names):
                    return "A file name contains a NUL character."
        elif content_type == "application/json":
            try:
                data = json_loads(request.body or b"null")
            except InputInvalid as exc:
                message = str(exc)
                # Malformed JSON is the view's to explain; depth is refused for everyone.
                if "nested" in message or "digits" in message:
                    return f"The request body is refused: {message}."
                return None
            if has_nul(data):
                return "A value in the JSON body contains a NUL character."
    return None


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            problem = hostile_input(request)
        except RequestDataTooBig:
            return refusal(request, "The request body is too large.", status=413)
        except SuspiciousOperation as exc:
            return refusal(request, f"The request is refused: {exc}")
        if problem is not None:
            return refusal(request, problem)
        response = self.get_response(request)
        return _api_json(request, response)


def _api_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Under /api/, a 4xx or 5xx rendered as HTML (Django's own or debug pages) becomes JSON."""
    if not request.path.startswith("/api/") or not 400 <= response.status_code < 600:
        return response
    if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
        return response
    if response.status_code == 403 and b"CSRF verification failed" in response.content:
        # Keep saying why, as the CSRF failure page does.
        return JsonResponse({"detail": "CSRF verification failed: send the token."}, status=403)
    try:
        reason = HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = "Request refused"
    converted = JsonResponse({"detail": f"{reason}."}, status=response.status_code)
    for header in ("WWW-Authenticate", "Allow", "Retry-After"):
        if header in response:
            converted[header] = response[header]
    return converted
