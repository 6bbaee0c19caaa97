"""Shared parts of the OpenAPI schema: the error answers the endpoints document, and the
release downloads, which are plain Django views that drf-spectacular cannot discover."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What is wrong, for a person to read.")


class RefusalSerializer(ErrorSerializer):
    studies = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The open blind studies whose keys the answer would have shown, if any.",
    )


_ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Bad input, nothing changed: a message per field, or `detail`.",
    ),
    401: OpenApiResponse(
        ErrorSerializer,
        description=(
            "No credentials, or a token that is not valid (revoked, regenerated, or its account "
            "deactivated). Send `Authorization: Token <key>`."
        ),
    ),
    403: OpenApiResponse(
        RefusalSerializer,
        description=(
            "Your role does not give access to this, or it would show keys of questions you are "
            "answering in an open blind study (named in `studies`)."
        ),
    ),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not one you may see."),
    415: OpenApiResponse(ErrorSerializer, description="The body is not in a media type accepted."),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers with these status codes."""
    return {code: _ERRORS[code] for code in codes}


def _error_content(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _text(description: str) -> dict[str, Any]:
    return {"schema": {"type": "string", "description": description}}


# The release download, written out by hand: the view streams stored files and answers
# conditional requests, which DRF's response handling would get in the way of.
RELEASE_DOWNLOAD: dict[str, Any] = {
    "get": {
        "operationId": "releases_download",
        "summary": "Download a frozen release file",
        "description": (
            "`<split>.jsonl` (one item per line, sorted, UTF-8) and `<split>.json` (the same "
            "items with the release's name, version, count, sha256 and freeze time), "
            "`<split>.tsv` for VLMEvalKit, `lmms-eval.zip` (a task folder), `README.md` (a "
            "dataset card), `manifest.json|md` and `changelog.json|md`. Every file is the same "
            "bytes on every download. The `ETag` of a split's files is the sha256 of its JSONL; "
            "`If-None-Match` gives 304. 404 also for a release you may not download."
        ),
        "tags": ["releases"],
        "parameters": [
            {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "version", "in": "path", "required": True, "schema": {"type": "string"}},
            {
                "name": "filename",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
                "description": "`test.jsonl`, `test.json`, `test.tsv`, `manifest.json`, …",
            },
        ],
        "security": [{"tokenAuth": []}, {"cookieAuth": []}, {}],
        "responses": {
            "200": {
                "description": "The file.",
                "headers": {
                    "ETag": {"schema": {"type": "string"}},
                    "X-Release-Status": {"schema": {"type": "string"}},
                },
                "content": {
                    "application/x-ndjson": _text("One item per line."),
                    "application/json": {"schema": {"type": "object"}},
                    "text/tab-separated-values": _text("VLMEvalKit's layout."),
                    "text/markdown": _text("A manifest, a changelog or the dataset card."),
                    "application/zip": {"schema": {"type": "string", "format": "binary"}},
                },
            },
            "304": {"description": "Not modified (`If-None-Match` matched the `ETag`)."},
            "401": _error_content(
                "No credentials, or a token that is not valid, for a release that is not public."
            ),
            "404": _error_content("No such release or file, or a release you may not download."),
        },
    }
}


def add_release_downloads(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the release downloads."""
    result.setdefault("paths", {})["/api/releases/{name}/{version}/{filename}"] = RELEASE_DOWNLOAD
    # Every operation may answer 400 before its view runs (sciannot.input_guard: a NUL
    # character in the address, a filter or the body, or JSON nested too deeply).
    for operations in result["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "400", _error_content("Refused before it was read: bad input, nothing changed.")
                )
    return result
