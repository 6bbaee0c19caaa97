"""Curators' pages for model evaluation runs, under the leaderboard: start a run on a release
split, follow it live (htmx polling), cancel it, and read its recorded calls."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baselines.board_views import release_split
from baselines.evaluation import (
    EvaluationInvalid,
    evaluation_cancel,
    evaluation_progress,
    evaluation_start,
    open_studies,
)
from baselines.forms import EvaluationForm
from baselines.models import EvalCall, Evaluation
from drafting.providers import ProviderNotConfigured, provider_problem
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import role_required
from sciannot.htmx import AuthenticatedHttpRequest
from sciannot.queue import QueueUnavailable

CALLS_SHOWN = 200


@require_http_methods(["GET", "POST"])
@role_required(Role.CURATOR)
def evaluation_new(request: AuthenticatedHttpRequest, pk: int, split: str) -> HttpResponse:
    release = release_split(pk, split)
    form = EvaluationForm(request.POST) if request.method == "POST" else EvaluationForm()
    context: dict[str, Any] = {
        "release": release,
        "split": split,
        "form": form,
        "provider": settings.LLM_PROVIDER,
        "default_model": settings.LLM_MODEL,
        "provider_problem": provider_problem(),
        "studies": open_studies(release, split),
        "runs": Evaluation.objects.filter(release=release, split=split)[:50],
    }
    if request.method == "GET":
        return render(request, "baselines/evaluation_new.html", context)
    status = 400
    error = ""
    if form.is_valid():
        try:
            evaluation = evaluation_start(
                release=release, split=split, request=form.evaluation_request(), user=request.user
            )
        except (EvaluationInvalid, ProviderNotConfigured) as exc:
            error = f"Nothing was started: {exc}."
        except QueueUnavailable as exc:
            error = f"Nothing was started: {exc}."
            status = 503
        else:
            return HttpResponseRedirect(reverse("leaderboard:evaluation", args=[evaluation.pk]))
    context["error"] = error
    return render(request, "baselines/evaluation_new.html", context, status=status)


def _context(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "evaluation": evaluation,
        "progress": evaluation_progress(evaluation),
        "calls": evaluation.calls.select_related("work").order_by("-pk")[:CALLS_SHOWN],
    }


@require_GET
@role_required(Role.CURATOR)
def evaluation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("release", "created_by", "model_run"), pk=pk
    )
    template = (
        "baselines/_evaluation_progress.html" if request.htmx else "baselines/evaluation.html"
    )
    return render(request, template, _context(evaluation))


@require_POST
@role_required(Role.CURATOR)
def evaluation_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(Evaluation.objects.select_related("release"), pk=pk)
    cancelled = evaluation_cancel(evaluation)
    flash = (
        "Cancelled: no call is sent after this, and nothing goes on the leaderboard."
        if cancelled
        else f"The run had already ended ({evaluation.get_status_display().lower()})."
    )
    if not request.htmx:
        messages.info(request, flash)
        return HttpResponseRedirect(reverse("leaderboard:evaluation", args=[evaluation.pk]))
    context = _context(evaluation)
    context["flash"] = flash
    return render(request, "baselines/_evaluation_progress.html", context)


@require_GET
@role_required(Role.CURATOR)
def evaluation_call(request: AuthenticatedHttpRequest, pk: int, call: int) -> HttpResponse:
    found = get_object_or_404(
        EvalCall.objects.select_related("evaluation", "work"), pk=call, evaluation_id=pk
    )
    return render(request, "baselines/evaluation_call.html", {"call": found})
