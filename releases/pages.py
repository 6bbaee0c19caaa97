"""Curators' release pages: the list, checking and freezing, a release with its manifest,
changelog, warnings and downloads, and deprecation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from releases import deprecation
from releases.access import AccessRefused, release_seal_check, release_set_access
from releases.forms import AccessForm, FreezeForm
from releases.freeze import (
    GateFailed,
    ReleaseInvalid,
    WarningsUnconfirmed,
    plan_freeze,
    release_freeze,
)
from releases.models import Release
from releases.page_parts import release_links
from releases.rebalance import RebalanceInvalid, parse_moves, rebalance_apply, rebalance_propose
from releases.rows import chosen_questions
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import role_required
from sciannot.conflicts import status_for
from sciannot.htmx import AuthenticatedHttpRequest
from sciannot.seal import seal_check_questions
from videos.models import Benchmark


@require_GET
@role_required(Role.CURATOR)
def release_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    releases = Release.objects.filter(benchmark=Benchmark.objects.default()).select_related(
        "frozen_by"
    )
    return render(request, "releases/release_list.html", {"releases": releases})


@require_http_methods(["GET", "POST"])
@role_required(Role.CURATOR)
def release_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check what a release would contain (the gate report), then freeze it."""
    benchmark = Benchmark.objects.default()
    form = FreezeForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form}
    if request.method == "GET":
        return render(request, "releases/release_new.html", context)
    status = 200
    if form.is_valid():
        freeze_request = form.freeze_request()
        # The gate report and the re-lettering proposal show the chosen items' keys.
        seal_check_questions(
            user=request.user,
            questions=chosen_questions(benchmark, freeze_request).values("pk"),
            what=f"the items chosen for {freeze_request.name}",
        )
        # The confirmation of the gate's warnings is a submit button of its own: it freezes.
        confirmed = request.POST.get("confirm_warnings", "")
        action = request.POST.get("action") or ("freeze" if confirmed else "check")
        try:
            if action == "freeze":
                release, _ = release_freeze(
                    benchmark=benchmark,
                    request=freeze_request,
                    user=request.user,
                    confirmed_warnings=confirmed,
                )
                opened = reverse("releases:detail", args=[release.pk])
                if request.htmx:
                    return HttpResponseClientRedirect(opened)
                return HttpResponseRedirect(opened)
            if action == "rebalance":
                proposal = rebalance_propose(benchmark, freeze_request)
                context["proposal"] = proposal
                context["rebalancing"] = True
                context["proposal_moves"] = " ".join(
                    f"{m.uid}:{m.version}:{m.after}" for m in proposal.moves
                )
                template = "releases/_rebalance.html"
                return render(
                    request, template if request.htmx else "releases/release_new.html", context
                )
            plan = plan_freeze(benchmark, freeze_request)
            context["report"] = plan.report
            context["split_counts"] = plan.split_counts
        except ReleaseInvalid as exc:
            context["error"] = str(exc)
            status = status_for(exc)
        except WarningsUnconfirmed as exc:
            # Nothing is frozen until the curator has seen the warnings and confirms them.
            context["report"] = exc.report
            context["confirm_warnings"] = exc.fingerprint
        except GateFailed as exc:
            context["report"] = exc.report
            context["error"] = f"{exc}; nothing was frozen."
            status = 400
    else:
        status = 400
    template = "releases/_gate.html" if request.htmx else "releases/release_new.html"
    return render(request, template, context, status=200 if request.htmx else status)


@require_POST
@role_required(Role.CURATOR)
def release_rebalance(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Apply a proposed re-lettering: all of it, or nothing when any item changed since."""
    context: dict[str, Any] = {"form": FreezeForm(), "rebalancing": True}
    try:
        moves = parse_moves(request.POST.get("moves", "").split())
        changed = rebalance_apply(
            benchmark=Benchmark.objects.default(),
            moves=moves,
            curator=request.user,
        )
    except RebalanceInvalid as exc:
        context["error"] = str(exc)
        if request.htmx:
            return render(request, "releases/_rebalance.html", context)
        return render(request, "releases/release_new.html", context, status=400)
    context["applied"] = len(changed)
    if request.htmx:
        return render(request, "releases/_rebalance.html", context)
    messages.success(
        request,
        f"Re-lettered {len(changed)} item{pluralize(len(changed))}. Their accepts still count; "
        "each has a new revision. Check again to see the letters now.",
    )
    return HttpResponseRedirect(reverse("releases:new"))


@require_GET
@role_required(Role.CURATOR)
def release_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(Release.objects.select_related("frozen_by", "previous"), pk=pk)
    # The page shows the changelog, whose changed fields include keys.
    release_seal_check(user=request.user, release=release)
    versions = Release.objects.filter(benchmark=release.benchmark, name=release.name)
    return render(
        request,
        "releases/release_detail.html",
        {
            "release": release,
            "versions": versions,
            "files": release.files.order_by("split", "format"),
            "splits": release.manifest.get("splits", {}),
            "video_files": sorted((release.manifest.get("video_files") or {}).items()),
            "access_form": AccessForm(
                initial={"access": release.access, "readers": list(release.readers.all())}
            ),
            "readers": release.readers.order_by("username"),
            "links": release_links(request.user, release),
        },
    )


@require_POST
@role_required(Role.CURATOR)
def release_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(Release, pk=pk)
    form = AccessForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Access unchanged: "
            + " ".join(str(error) for errors in form.errors.values() for error in errors),
        )
    else:
        try:
            release_set_access(release, form.cleaned_data["access"], form.cleaned_data["readers"])
        except AccessRefused as exc:
            messages.error(request, f"Access unchanged: {exc}.")
        else:
            messages.success(request, f"Who may download it: {release.get_access_display()}.")
    return HttpResponseRedirect(reverse("releases:detail", args=[release.pk]))


@require_POST
@role_required(Role.CURATOR)
def release_deprecate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(Release, pk=pk)
    deprecation.release_deprecate(release)
    return HttpResponseRedirect(reverse("releases:detail", args=[release.pk]))
