"""The leaderboard pages: which release splits have results, and a split's table (sortable,
a bar per cell with its interval, downloads as CSV, JSON and Markdown), where a curator also
imports a model's predictions or removes an import."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baselines.leaderboard import (
    COLUMN_TITLES,
    COLUMNS,
    as_csv,
    as_markdown,
    leaderboard,
    row_cells,
    sort_rows,
)
from baselines.models import ModelRun
from baselines.prediction_files import PredictionsInvalid
from baselines.predictions import REPORT_LIMIT, import_predictions
from baselines.selectors import board_entries, board_runs
from releases.models import Release
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import role_required
from sciannot.htmx import AuthenticatedHttpRequest
from videos.models import Benchmark

DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json; charset=utf-8", "json"),
    "md": ("text/markdown; charset=utf-8", "md"),
}


@require_GET
@role_required(Role.CURATOR)
def board_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    entries = board_entries(Benchmark.objects.default())
    return render(request, "baselines/board_index.html", {"entries": entries})


def release_split(pk: int, split: str) -> Release:
    release = get_object_or_404(Release, pk=pk, sealed=True)
    if split not in release.splits:
        raise Http404(f"{release.name} {release.version} has no split {split!r}")
    return release


def _display_cell(cell: dict[str, Any]) -> dict[str, Any]:
    """A cell with what its bar needs, on a 0–100 scale."""
    shown = dict(cell)
    if cell["acc"] is not None:
        shown["bar"] = f"{cell['acc']:.2f}"
    if cell.get("ci95"):
        shown["low"], shown["high"] = (f"{v:.2f}" for v in cell["ci95"])
    return shown


@require_GET
@role_required(Role.CURATOR)
def board_detail(request: AuthenticatedHttpRequest, pk: int, split: str) -> HttpResponse:
    release = release_split(pk, split)
    board = leaderboard(release, split)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in DOWNLOADS:
            return HttpResponse(
                f"Unknown format {fmt!r}; use csv, json or md.",
                status=400,
                content_type="text/plain",
            )
        content_type, extension = DOWNLOADS[fmt]
        body = {
            "csv": lambda: as_csv(board),
            "json": lambda: json.dumps(board, ensure_ascii=False, indent=2) + "\n",
            "md": lambda: as_markdown(board),
        }[fmt]()
        response = HttpResponse(body, content_type=content_type)
        filename = f"{release.name}-{release.version}-{split}-leaderboard.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    column = request.GET.get("sort", "overall")
    if column not in COLUMNS:
        column = "overall"
    descending = request.GET.get("dir", "desc") != "asc"
    rows = sort_rows(board["rows"], column, descending=descending)
    runs = board_runs(release, split)
    table = []
    for row in rows:
        entry = {
            "row": row,
            "cells": [_display_cell(c) for c in row_cells(row)],
            "official": [_display_cell(c) for c in row_cells(row["official"])]
            if row["kind"] == "model"
            else None,
            "run": runs.get(row["name"]) if row["kind"] == "model" else None,
        }
        table.append(entry)
    headers = [
        {
            "key": key,
            "title": COLUMN_TITLES[key],
            "active": key == column,
            "next_dir": "asc" if key == column and descending else "desc",
            "aria": ("descending" if descending else "ascending") if key == column else None,
        }
        for key in COLUMNS
    ]
    return render(
        request,
        "baselines/board_detail.html",
        {"release": release, "split": split, "board": board, "table": table, "headers": headers},
    )


@require_http_methods(["POST"])
@role_required(Role.CURATOR)
def board_import(request: AuthenticatedHttpRequest, pk: int, split: str) -> HttpResponse:
    release = release_split(pk, split)
    target = reverse("leaderboard:board", args=[release.pk, split])
    uploaded = request.FILES.get("file")
    model = request.POST.get("model", "")
    if uploaded is None or uploaded.file is None:
        messages.error(request, "Nothing was imported: choose a predictions file.")
        return HttpResponseRedirect(target)
    try:
        report = import_predictions(
            release=release,
            split=split,
            model=model,
            # The underlying file: Django's File wrapper rewinds when iterated.
            handle=uploaded.file,
            file_name=uploaded.name or "predictions",
            user=request.user,
        )
    except PredictionsInvalid as exc:
        messages.error(request, f"Nothing was imported from {uploaded.name}: {exc}.")
        return HttpResponseRedirect(target)
    summary = (
        f"{'Replaced' if report.replaced else 'Imported'} {report.run.model}: "
        f"{report.scored} of {report.run.predictions.count()} items scored, "
        f"{len(report.missing)} missing (counted wrong), {len(report.unmatched)} lines "
        f"unmatched, {report.unreadable} replies unreadable."
    )
    messages.success(request, summary)
    for problem in report.unmatched[:REPORT_LIMIT]:
        messages.warning(request, f"Line {problem['line']}: {problem['reason']}")
    return HttpResponseRedirect(target)


@require_POST
@role_required(Role.CURATOR)
def board_remove(request: AuthenticatedHttpRequest, pk: int, split: str, run: int) -> HttpResponse:
    release = release_split(pk, split)
    found = get_object_or_404(ModelRun, pk=run, release=release, split=split)
    found.delete()
    messages.success(request, f"Removed {found.model} from the leaderboard.")
    return HttpResponseRedirect(reverse("leaderboard:board", args=[release.pk, split]))
