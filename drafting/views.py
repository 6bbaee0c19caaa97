"""Curators' drafting pages: start a job for selected videos, follow it live, cancel it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from drafting.estimate import Estimate, jobs_estimate
from drafting.forms import DraftingForm
from drafting.models import DraftJob, LLMCall
from drafting.providers import ProviderNotConfigured, provider_problem
from drafting.selectors import job_calls, job_progress
from drafting.services import DraftingInvalid, check_video, job_cancel, jobs_start
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import role_required
from sciannot.htmx import AuthenticatedHttpRequest
from sciannot.queue import QueueUnavailable
from sciannot.seal import seal_check_questions
from videos.models import Benchmark, Video

JOBS_PER_PAGE = 100


def _chosen_videos(request: HttpRequest) -> list[Video]:
    values = (
        request.POST.getlist("video") if request.method == "POST" else request.GET.getlist("video")
    )
    pks = [int(v) for v in values if v.isdigit()]
    benchmark = Benchmark.objects.default()
    return list(
        Video.objects.filter(benchmark=benchmark, pk__in=pks)
        .select_related("transcript", "manuscript")
        .order_by("video_id")
    )


def _estimate(videos: list[Video], form: DraftingForm) -> Estimate:
    return jobs_estimate(videos, form.job_request()) if form.is_valid() else Estimate()


def _video_problems(videos: list[Video]) -> list[str]:
    problems = []
    for video in videos:
        try:
            check_video(video)
        except DraftingInvalid as exc:
            problems.append(str(exc))
    return problems


DEFAULTS = {"conceptual": 2, "hypothetical": 2, "quantitative": 1, "temperature": 0.7}


@require_http_methods(["GET", "POST"])
@role_required(Role.CURATOR)
def job_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The drafting form for the videos chosen on the video list, with the cost estimate."""
    videos = _chosen_videos(request)
    if request.htmx and request.method == "GET":
        # The estimate, refreshed as the curator changes the form.
        return render(
            request,
            "drafting/_estimate.html",
            {"estimate": _estimate(videos, DraftingForm(request.GET))},
        )
    form = (
        DraftingForm(request.POST) if request.method == "POST" else DraftingForm(initial=DEFAULTS)
    )
    context: dict[str, Any] = {
        "videos": videos,
        "form": form,
        "provider_problem": provider_problem(),
        "provider": settings.LLM_PROVIDER,
        "default_model": settings.LLM_MODEL,
        "video_problems": _video_problems(videos),
        "estimate": _estimate(videos, form if form.is_bound else DraftingForm(DEFAULTS)),
    }
    if request.method == "GET":
        return render(request, "drafting/job_new.html", context)
    error = ""
    status = 400
    if not videos:
        error = "Choose at least one video on the video list first."
    elif form.is_valid():
        try:
            jobs = jobs_start(
                videos=videos,
                request=form.job_request(),
                user=request.user,
            )
        except (ProviderNotConfigured, DraftingInvalid) as exc:
            error = f"{exc}. Nothing was queued."
        except QueueUnavailable as exc:
            error = f"Nothing was queued: {exc}."
            status = 503
        else:
            if len(jobs) == 1:
                return HttpResponseRedirect(reverse("drafting:job", args=[jobs[0].pk]))
            return HttpResponseRedirect(reverse("drafting:jobs") + f"?batch={jobs[0].batch}")
    context["error"] = error
    return render(request, "drafting/job_new.html", context, status=status)


@require_GET
@role_required(Role.CURATOR)
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    jobs = DraftJob.objects.select_related("video", "created_by")
    batch = request.GET.get("batch", "")
    if batch:
        jobs = jobs.filter(batch=batch)
    shown = list(jobs[:JOBS_PER_PAGE])
    template = "drafting/_job_table.html" if request.htmx else "drafting/job_list.html"
    return render(
        request,
        template,
        {"jobs": shown, "batch": batch, "active": any(j.is_active for j in shown)},
    )


def _seal_check_job(user: Any, job: DraftJob) -> None:
    """A job's page and its calls show the keys of the questions it drafted."""
    seal_check_questions(
        user=user, questions=job.drafts.values("question_id"), what=f"drafting job {job.pk}"
    )


def _job_context(job: DraftJob) -> dict[str, Any]:
    return {
        "job": job,
        "progress": job_progress(job),
        "calls": job_calls(job),
        "drafts": job.drafts.select_related("question").order_by("index"),
    }


@require_GET
@role_required(Role.CURATOR)
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(DraftJob.objects.select_related("video", "created_by"), pk=pk)
    _seal_check_job(request.user, job)
    template = "drafting/_job_progress.html" if request.htmx else "drafting/job_detail.html"
    return render(request, template, _job_context(job))


@require_POST
@role_required(Role.CURATOR)
def job_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(DraftJob.objects.select_related("video"), pk=pk)
    _seal_check_job(request.user, job)
    cancelled = job_cancel(job)
    flash = (
        "Cancelled: no stage starts after this."
        if cancelled
        else (f"The job had already ended ({job.get_status_display().lower()}).")
    )
    if not request.htmx:
        messages.info(request, flash)
        return HttpResponseRedirect(reverse("drafting:job", args=[job.pk]))
    context = _job_context(job)
    context["flash"] = flash
    return render(request, "drafting/_job_progress.html", context)


@require_GET
@role_required(Role.CURATOR)
def call_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(LLMCall.objects.select_related("job", "stage"), pk=pk)
    _seal_check_job(request.user, call.job)
    return render(request, "drafting/call_detail.html", {"call": call})
