"""Pages about questions: the home page, the question list and an item's review page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from reviews.models import QuestionStatus, QuestionType
from reviews.selectors import question_get_for_user, questions_for_user, with_details
from sciannot.accounts.models import Role
from sciannot.accounts.permissions import has_role, role_required
from videos.taxonomy import Category


@role_required(Role.CURATOR, Role.REVIEWER, Role.EVALUATOR)
def home(request: HttpRequest) -> HttpResponse:
    if has_role(request.user, Role.CURATOR):
        return redirect("videos:list")
    if has_role(request.user, Role.REVIEWER):
        return redirect("reviews:list")
    return render(request, "reviews/evaluator_home.html")


@role_required(Role.CURATOR, Role.REVIEWER)
def question_list(request: HttpRequest) -> HttpResponse:
    queryset = questions_for_user(request.user)
    filters = {
        "status": (request.GET.get("status", ""), QuestionStatus.values),
        "category": (request.GET.get("category", ""), Category.values),
        "question_type": (request.GET.get("question_type", ""), QuestionType.values),
    }
    for name, (value, choices) in filters.items():
        if value in choices:
            queryset = queryset.filter(**{name: value})
    search = request.GET.get("q", "").strip()
    if search:
        queryset = queryset.filter(text__icontains=search)
    page = Paginator(queryset.order_by("video__video_id", "id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/question_list.html",
        {
            "page": page,
            "search": search,
            "selected": {name: value for name, (value, _) in filters.items()},
            "statuses": QuestionStatus.choices,
            "categories": Category.values,
            "types": QuestionType.values,
        },
    )


@role_required(Role.CURATOR, Role.REVIEWER)
def question_detail(request: HttpRequest, uid: str) -> HttpResponse:
    question = question_get_for_user(request.user, uid)
    video = question.video
    transcript = getattr(video, "transcript", None)
    cues = list(transcript.cues.all()) if transcript else []
    siblings = with_details(
        questions_for_user(request.user).filter(video=video).exclude(pk=question.pk)
    )
    return render(
        request,
        "reviews/question_detail.html",
        {
            "question": question,
            "video": video,
            "cues": cues,
            "revisions": question.revisions.select_related("author").order_by("-number"),
            "siblings": siblings,
        },
    )
