"""REST endpoints for harnesses: push a model's predictions for a release split, and read
the split's leaderboard. Curators only (session or token)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baselines.leaderboard import leaderboard
from baselines.prediction_files import PredictionsInvalid
from baselines.predictions import import_predictions
from releases.models import Release
from releases.selectors import release_sealed_get
from sciannot.accounts.models import Role, User
from sciannot.accounts.permissions import HasRole
from sciannot.openapi import error_responses


def _release(name: str, version: str) -> Release:
    release = release_sealed_get(name=name, version=version)
    if release is None:
        raise NotFound(f"no release {name} {version}")
    return release


class LeaderboardView(APIView):
    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.CURATOR,)

    @extend_schema(
        summary="A release split's leaderboard",
        description=(
            "Every model, imported or run in the app (`origin`; a run in the app also has "
            "its `settings`), read carefully (with the number of unreadable replies; "
            "the official SciVideoBench rule in `official`, with `guessed`: the replies it "
            "found no letter in, scored by a guess seeded by the release and the item), the "
            "human baseline of each study with answers, and chance; best overall first. Cells "
            "are `{correct, total, acc, ci95}`."
        ),
        parameters=[OpenApiParameter("split", OpenApiTypes.STR, default="test")],
        responses={200: OpenApiTypes.OBJECT, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, name: str, version: str) -> Response:
        release = _release(name, version)
        split = request.query_params.get("split", "test")
        if split not in release.splits:
            raise NotFound(f"{release.name} {release.version} has no split {split!r}")
        return Response(leaderboard(release, split))


class PredictionsView(APIView):
    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.CURATOR,)
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import a model's predictions",
        description=(
            'Scores lmms-eval `--log_samples` output or `{"uid", "prediction"}` JSON Lines '
            "against the release split. Importing the same model again replaces it. A malformed "
            "file is refused whole (400) and nothing changes."
        ),
        request=inline_serializer(
            "PredictionsUpload",
            {
                "model": serializers.CharField(max_length=200),
                "split": serializers.CharField(default="test"),
                "file": serializers.FileField(),
            },
        ),
        responses={201: OpenApiTypes.OBJECT, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request: Request, name: str, version: str) -> Response:
        release = _release(name, version)
        uploaded = request.FILES.get("file")
        if uploaded is None or uploaded.file is None:
            raise ValidationError({"file": "attach the predictions file as `file`"})
        model: Any = request.data.get("model", "")
        try:
            report = import_predictions(
                release=release,
                split=str(request.data.get("split") or "test"),
                model=str(model),
                handle=uploaded.file,
                file_name=uploaded.name or "predictions",
                user=cast(User, request.user),  # HasRole let only a curator through
            )
        except PredictionsInvalid as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(report.as_dict(), status=status.HTTP_201_CREATED)
