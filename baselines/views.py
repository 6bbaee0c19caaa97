"""Baseline pages: evaluators answer their studies blind; curators follow them and read
the table."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baselines.forms import StudyForm
from baselines.models import Participation, Study
from baselines.scoring import HEADERS
from baselines.services import (
    AnswerRefused,
    StudyInvalid,
    open_studies_of,
    show_item,
    study_close,
    study_open,
    study_progress,
    study_report,
    submit_answer,
)
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import has_role, role_required
from sciannot.conflicts import status_for
from sciannot.htmx import AuthenticatedHttpRequest
from videos.models import Benchmark, Video

KEYS = "1234567890"


@require_GET
@role_required(Role.CURATOR, Role.EVALUATOR)
def baseline_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if has_role(request.user, Role.CURATOR):
        studies = Study.objects.select_related("release").order_by("-created_at")
        return render(request, "baselines/study_list.html", {"studies": studies})
    rows = []
    for participation in open_studies_of(request.user):
        answered = participation.answers.filter(answered_at__isnull=False).count()
        rows.append((participation, answered, len(participation.order)))
    return render(request, "baselines/evaluator_home.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@role_required(Role.EVALUATOR)
def baseline_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The evaluator's current item; a submitted answer moves on to the next one."""
    try:
        participation = open_studies_of(request.user).get(study__pk=pk)
    except Participation.DoesNotExist:
        return render(request, "baselines/not_open.html", status=404)
    study = participation.study
    if request.method == "POST":
        try:
            position = int(request.POST.get("position", ""))
        except ValueError:
            position = -1
        try:
            answer = submit_answer(
                participation=participation,
                position=position,
                letter=request.POST.get("letter", ""),
            )
            if answer.timed_out:
                messages.info(request, "The time for that item ran out; it counts as unanswered.")
        except AnswerRefused as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("baselines:answer", args=[pk]))
    shown = show_item(participation)
    context: dict[str, Any] = {"study": study, "shown": shown}
    if shown is not None:
        context["choices"] = [
            (letter, text, KEYS[n]) for n, (letter, text) in enumerate(shown.options.items())
        ]
        if study.show_video or study.show_transcript:
            video = Video.objects.filter(benchmark=study.benchmark, video_id=shown.video_id).first()
            context["video"] = video if study.show_video else None
            # Played once, the video may not be seeked: its timeline only shows where to look.
            context["play_once"] = not study.allow_rewatch
            transcript = getattr(video, "transcript", None) if video else None
            context["cues"] = (
                list(transcript.cues.all()) if transcript and study.show_transcript else []
            )
    return render(request, "baselines/answer.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.CURATOR)
def study_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StudyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = study_open(
                benchmark=Benchmark.objects.default(),
                name=data["name"],
                release=data["release"],
                split=data["split"].strip(),
                evaluators=list(data["evaluators"]),
                show_video=data["show_video"],
                show_transcript=data["show_transcript"],
                time_limit=data["time_limit"],
                allow_rewatch=data["allow_rewatch"],
                sample_size=data["sample_size"],
                seed=data["seed"] or 0,
                user=request.user,
            )
        except StudyInvalid as exc:
            form.add_error(None, str(exc))
            return render(
                request, "baselines/study_new.html", {"form": form}, status=status_for(exc)
            )
        return HttpResponseRedirect(reverse("baselines:study", args=[study.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "baselines/study_new.html", {"form": form}, status=status)


@require_GET
@role_required(Role.CURATOR)
def study_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study.objects.select_related("release"), pk=pk)
    report = study_report(study)
    return render(
        request,
        "baselines/study_detail.html",
        {
            "study": study,
            "start_url": request.build_absolute_uri(reverse("baselines:answer", args=[study.pk])),
            "progress": study_progress(study),
            "report": report,
            "headers": HEADERS,
            "table": [
                (
                    row["name"],
                    [row["overall"], *row["by_type"].values(), *row["by_category"].values()],
                )
                for row in report["rows"]
            ],
        },
    )


@require_POST
@role_required(Role.CURATOR)
def study_close_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    study_close(study)
    return HttpResponseRedirect(reverse("baselines:study", args=[study.pk]))
