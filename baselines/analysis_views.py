"""The item analysis page of a release split: a table of every item (sortable, filterable by
flag, each row opening the item's review page, the letters chosen drawn per item) with the
split's figures, and the table as CSV or JSON. For curators and reviewers — a reviewer sees
the rows of the questions they may review — never for evaluators. A curator sends the flagged
items back for revision from it."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from baselines.analysis_services import analysis_send_back
from baselines.analysis_table import (
    SORTS,
    TableInvalid,
    as_csv,
    filter_rows,
    flag_text,
    sort_rows,
)
from baselines.item_analysis import FLAGS, GROUPS
from baselines.models import Answer, Prediction
from baselines.selectors import split_item_analysis
from releases.access import release_seal_check
from releases.models import Release, ReleaseItem
from releases.page_parts import ReleaseLink
from reviews.models import Question
from reviews.selectors import visible_questions
from reviews.services.decisions import ReviewError
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import has_role, role_required
from sciannot.htmx import AuthenticatedHttpRequest

# The bar of letters drawn per item and group, in SVG user units.
BAR_WIDTH = 200
SORT_COLUMNS = ("humans_p", "models_p", "humans_disc", "models_disc", "humans_n", "models_n")


def analysis_links(user: Any, release: Release) -> list[ReleaseLink]:
    """The release page's links to each split's item analysis, for curators and reviewers."""
    if not release.sealed or not has_role(user, Role.CURATOR, Role.REVIEWER):
        return []
    return [
        ReleaseLink(
            label=f"Item analysis of {split}",
            url=reverse("leaderboard:analysis", args=[release.pk, split]),
            testid=f"item-analysis-{split}",
            note="difficulty, discrimination, letters chosen and flags per item",
        )
        for split in release.splits
    ]


def _segments(summary: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The group's letters as segments of one bar, the key's marked, widths summing to the bar."""
    n = summary["n"]
    segments = []
    x = 0.0
    counts = [*summary["choices"].items(), ("none", summary["no_letter"])]
    for position, (letter, count) in enumerate(counts):
        if not count:
            continue
        width = BAR_WIDTH * count / n
        kind = "key" if letter == key else ("none" if letter == "none" else f"d{position % 2}")
        segments.append({"letter": letter, "count": count, "x": x, "width": width, "kind": kind})
        x += width
    return segments


def _analysis_for(
    request: AuthenticatedHttpRequest, pk: int, split: str
) -> tuple[Release, dict[str, Any]]:
    release = get_object_or_404(Release, pk=pk, sealed=True)
    if split not in release.splits:
        raise Http404(f"{release.name} {release.version} has no split {split!r}")
    # The table shows keys and answers: never to anyone answering this release blind.
    release_seal_check(user=request.user, release=release)
    analysis = split_item_analysis(release, split)
    if not has_role(request.user, Role.CURATOR):
        uids = {row["question"] for row in analysis["items"]}
        visible = set(
            visible_questions(request.user, Question.objects.filter(uid__in=uids)).values_list(
                "uid", flat=True
            )
        )
        analysis["items"] = [row for row in analysis["items"] if row["question"] in visible]
    return release, analysis


@require_GET
@role_required(Role.CURATOR, Role.REVIEWER)
def analysis_detail(request: AuthenticatedHttpRequest, pk: int, split: str) -> HttpResponse:
    release, analysis = _analysis_for(request, pk, split)
    flag = request.GET.get("flag", "")
    column = request.GET.get("sort", "position")
    descending = request.GET.get("dir", "asc") == "desc"
    fmt = request.GET.get("format", "")
    try:
        if fmt not in ("", "csv", "json"):
            raise TableInvalid(f"unknown format {fmt!r} (use csv or json)")
        rows = sort_rows(filter_rows(analysis["items"], flag), column, descending=descending)
    except TableInvalid as exc:
        return HttpResponse(f"{exc}.", status=400, content_type="text/plain; charset=utf-8")
    filename = f"{release.name}-{release.version}-{split}-item-analysis"
    if fmt == "csv":
        response = HttpResponse(as_csv(analysis, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt == "json":
        body = json.dumps({"items": rows, "split": analysis["split"]}, ensure_ascii=False)
        response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return response
    table = [
        {
            "row": row,
            "bars": [
                {
                    "group": group,
                    "summary": row[group],
                    "segments": _segments(row[group], row["key"]),
                }
                for group in GROUPS
            ],
            "flag_texts": [
                f"{name}: {flag_text(name, row['flag_details'][name])}" for name in row["flags"]
            ],
        }
        for row in rows
    ]
    headers = [
        {
            "key": key,
            "title": SORTS[key][0],
            "active": key == column,
            "next_dir": "asc" if key == column and descending else "desc",
            "aria": ("descending" if descending else "ascending") if key == column else None,
        }
        for key in SORT_COLUMNS
    ]
    query = f"flag={flag}&sort={column}&dir={'desc' if descending else 'asc'}"
    return render(
        request,
        "baselines/item_analysis.html",
        {
            "release": release,
            "split": split,
            "analysis": analysis,
            "table": table,
            "headers": headers,
            "flags": FLAGS,
            "flag": flag,
            "query": query,
            "bar_width": BAR_WIDTH,
        },
    )


@require_POST
@role_required(Role.CURATOR)
def analysis_send_back_view(request: AuthenticatedHttpRequest, pk: int, split: str) -> HttpResponse:
    """Send the flagged items shown (by the page's flag filter) back for revision."""
    release = get_object_or_404(Release, pk=pk, sealed=True)
    if split not in release.splits:
        raise Http404(f"{release.name} {release.version} has no split {split!r}")
    flag = request.POST.get("flag", "")
    target = reverse("leaderboard:analysis", args=[release.pk, split])
    try:
        sent = analysis_send_back(curator=request.user, release=release, split=split, flag=flag)
    except (ReviewError, TableInvalid) as exc:
        messages.error(request, f"Nothing was sent back: {exc}.")
        return HttpResponseRedirect(f"{target}?flag={flag}" if flag in FLAGS else target)
    messages.success(
        request,
        f"Sent {len(sent)} item{pluralize(len(sent))} back for revision, each with its "
        "analysis as a comment.",
    )
    return HttpResponseRedirect(f"{target}?flag={flag}" if flag in FLAGS else target)


# How many of the newest releases holding a question its review page analyses.
PANEL_RELEASES = 2


def question_item_analysis(question: Question) -> dict[str, Any]:
    """The review page's item analysis panel: for the newest sealed releases that hold the
    question and have answers or model replies for its split, the item's row of the split's
    analysis. The review page itself is only for curators and reviewers, and hides the panel
    while the key is hidden."""
    entries = []
    held = (
        ReleaseItem.objects.filter(source=question, release__sealed=True)
        .select_related("release")
        .order_by("-release__frozen_at")[:PANEL_RELEASES]
    )
    for item in held:
        answered = (
            Answer.objects.filter(item=item, answered_at__isnull=False).exists()
            or Prediction.objects.filter(item=item, missing=False).exists()
        )
        if not answered:
            continue
        analysis = split_item_analysis(item.release, item.split)
        row = next(row for row in analysis["items"] if row["uid"] == item.uid)
        entries.append(
            {
                "release": item.release,
                "split": item.split,
                "row": row,
                "flag_texts": [
                    f"{name}: {flag_text(name, row['flag_details'][name])}" for name in row["flags"]
                ],
                "url": reverse("leaderboard:analysis", args=[item.release.pk, item.split]),
            }
        )
    return {"item_analyses": entries}
