"""Pages about questions: the home page, the question list and an item's review page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import push_url

from reviews.dashboard import dashboard_figures, reviewer_figures
from reviews.filters import (
    PAGE_PARAMS,
    FiltersInvalid,
    QuestionFilters,
    question_filters_parse,
    questions_filter,
)
from reviews.models import DecisionKind, Question, QuestionStatus, QuestionType, RejectReason
from reviews.page_parts import question_page_context
from reviews.selectors import (
    comments_visible,
    decisions_visible,
    history_visible,
    next_in_queue,
    question_get_for_user,
    questions_for_user,
    questions_with_keys_for_user,
    queue_counts,
    with_details,
)
from reviews.services import decisions, edits, queue
from reviews.services.exemplars import ExemplarRefused, question_set_exemplar
from sciannot.accounts.models import Role, User
from sciannot.accounts.permissions import has_role, role_required
from sciannot.htmx import AuthenticatedHttpRequest
from sciannot.pagination import CachedCountPaginator
from sciannot.taxonomy import Category
from sciannot.vocabulary import LETTERS


@role_required(Role.CURATOR, Role.REVIEWER, Role.EVALUATOR)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if has_role(request.user, Role.CURATOR):
        return redirect("videos:list")
    if has_role(request.user, Role.REVIEWER):
        return redirect("reviews:list")
    # role_required lets no one else through: an evaluator.
    return redirect("baselines:home")


@role_required(Role.CURATOR, Role.REVIEWER)
def question_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = questions_for_user(request.user)
    error = ""
    try:
        filters = question_filters_parse(request.GET, PAGE_PARAMS)
        queryset = questions_filter(visible, filters)
    except FiltersInvalid as exc:
        # Nothing is listed for a filter that cannot hold: the page says which values can.
        error = f"Nothing listed: {exc}."
        filters = QuestionFilters()
        queryset = visible.none()
    page = CachedCountPaginator(queryset.order_by("id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/question_list.html",
        {
            "page": page,
            "counts": [
                (value, label, count)
                for (value, label), count in zip(
                    QuestionStatus.choices, queue_counts(request.user).values(), strict=True
                )
            ],
            "search": filters.search,
            "video": filters.video_id,
            "flagged": filters.flagged,
            "selected": filters.choices_selected(),
            "error": error,
            "statuses": QuestionStatus.choices,
            "bulk_actions": queue.BULK_ACTIONS.items(),
            "reject_reasons": RejectReason.choices,
            "is_curator": has_role(request.user, Role.CURATOR),
            "reviewers": User.objects.filter(role=Role.REVIEWER, is_active=True).order_by(
                "username"
            ),
            "categories": Category.values,
            "types": QuestionType.values,
        },
        status=400 if error else 200,
    )


def _review_context(
    request: AuthenticatedHttpRequest, question: Question, **extra: Any
) -> dict[str, Any]:
    video = question.video
    transcript = getattr(video, "transcript", None)
    following = next_in_queue(request.user, after=question)
    hide_key = decisions.must_solve_first(question, request.user)
    if hide_key and extra.pop("editing", None):
        # Nothing on the page may give the key away before the reviewer has answered, and
        # the edit form shows it.
        extra.setdefault("error", "Answer the question first: the edit form shows the key.")
    history = history_visible(question, request.user)
    # Where the item came from is its first revision, shown even while the history is not.
    origin = (
        history[-1].revision
        if history
        else question.revisions.select_related("author").order_by("number").first()
    )
    if extra.get("editing"):
        draft = extra.pop("draft", None) or edits.edit_from_question(question)
        extra["form"] = draft
    return {
        "question": question,
        "video": video,
        "cues": list(transcript.cues.all()) if transcript else [],
        "history": history,
        "origin": origin,
        "comments": comments_visible(question, request.user),
        "decisions": decisions_visible(question, request.user),
        "next_question": following,
        "reject_reasons": RejectReason.choices,
        "types": QuestionType.values,
        "letters": LETTERS,
        "hide_key": hide_key,
        "is_curator": has_role(request.user, Role.CURATOR),
        "rejection": decisions.rejection_shown(question),
        **question_page_context(question),
        **extra,
    }


def _render_review(
    request: AuthenticatedHttpRequest, question: Question, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The review page, or just its `#review` part for htmx."""
    template = "reviews/_review_swap.html" if request.htmx else "reviews/question_detail.html"
    context = _review_context(request, question, **extra)
    return render(request, template, context, status=200 if request.htmx else status)


def _refused(
    request: AuthenticatedHttpRequest, question: Question, exc: decisions.ReviewError
) -> HttpResponse:
    """The review page with a refusal: a stale version shows the item as it is now (409),
    any other refusal the item as it was (400)."""
    if isinstance(exc, decisions.StaleVersion):
        fresh = question_get_for_user(request.user, question.uid)
        return _render_review(request, fresh, status=409, error=str(exc))
    return _render_review(request, question, status=400, error=str(exc))


@role_required(Role.CURATOR, Role.REVIEWER)
def question_detail(request: AuthenticatedHttpRequest, uid: str) -> HttpResponse:
    question = question_get_for_user(request.user, uid)
    return _render_review(request, question)


@require_POST
@role_required(Role.CURATOR)
def question_exemplar(request: AuthenticatedHttpRequest, uid: str) -> HttpResponse:
    """Mark an accepted question as an example the drafting agents see, or stop using it."""
    question = question_get_for_user(request.user, uid)
    wanted = request.POST.get("exemplar") == "1"
    try:
        question = question_set_exemplar(question, wanted)
    except ExemplarRefused as exc:
        return _render_review(request, question, status=400, error=str(exc))
    flash = (
        "The drafting agents will see this question as an example of its category."
        if wanted
        else "No longer used as an example."
    )
    if not request.htmx:
        messages.success(request, flash)
        return redirect("reviews:question", uid=uid)
    return _render_review(request, question, flash=flash)


@role_required(Role.CURATOR)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = questions_for_user(request.user)
    return render(
        request,
        "reviews/dashboard.html",
        {**dashboard_figures(visible), "reviewers": reviewer_figures(visible)},
    )


def _reviewer_from(value: str) -> User | None:
    if not value.isdigit():
        return None
    return User.objects.filter(pk=int(value), role=Role.REVIEWER, is_active=True).first()


@require_POST
@role_required(Role.CURATOR)
def questions_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    uids = request.POST.getlist("uid")
    chosen = list(questions_for_user(request.user).filter(uid__in=uids))
    back = request.POST.get("next", "") or reverse("reviews:list")
    # Only a local path: `redirect()` would read any other word as a view name to reverse.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("reviews:list")
    if not chosen:
        messages.error(request, "Select at least one question first.")
        return redirect(back)
    try:
        changed = queue.questions_bulk(
            curator=request.user,
            questions=chosen,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
            comment=request.POST.get("comment", ""),
            assignee=_reviewer_from(request.POST.get("assignee", "")),
        )
    except decisions.EditInvalid as exc:
        messages.error(request, " ".join(exc.errors.values()))
        return redirect(back)
    except decisions.ReviewError as exc:
        messages.error(request, f"Nothing was changed: {exc}.")
        return redirect(back)
    label = queue.BULK_ACTIONS[request.POST["action"]]
    messages.success(request, f"{label}: {changed} question{'s' if changed != 1 else ''}.")
    return redirect(back)


@role_required(Role.CURATOR)
def adjudication(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Items the experts disagreed on, with their decisions side by side."""
    disputed = questions_for_user(request.user).filter(status=QuestionStatus.ADJUDICATION)
    items = with_details(
        questions_with_keys_for_user(request.user, disputed, what="the items in adjudication")
    ).prefetch_related("decisions__reviewer")
    page = CachedCountPaginator(items.order_by("id"), 20).get_page(request.GET.get("page"))
    return render(request, "reviews/adjudication.html", {"page": page})


@role_required(Role.CURATOR, Role.REVIEWER)
def queue_next(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Take the next item of the queue (holding it for this reviewer) and open it."""
    taken = queue.queue_take(request.user)
    if taken is None:
        messages.info(request, "Your queue is empty: every open question has your decision.")
        return redirect("reviews:list")
    return redirect("reviews:question", uid=taken.uid)


def _go_to_next(request: AuthenticatedHttpRequest, done: Question, message: str) -> HttpResponse:
    following = queue.queue_take(request.user, after=done)
    if request.htmx:
        if following is None:
            response = render(request, "reviews/_queue_empty.html", {"message": message})
            return push_url(response, reverse("reviews:list"))
        question = question_get_for_user(request.user, following.uid)
        response = _render_review(request, question, flash=message)
        return push_url(response, reverse("reviews:question", kwargs={"uid": question.uid}))
    messages.success(request, message)
    if following is None:
        return redirect("reviews:list")
    return redirect("reviews:question", uid=following.uid)


def _seen_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@require_POST
@role_required(Role.CURATOR, Role.REVIEWER)
def question_decide(request: AuthenticatedHttpRequest, uid: str) -> HttpResponse:
    question = question_get_for_user(request.user, uid)
    kind = request.POST.get("kind", "")
    try:
        decisions.question_decide(
            question=question,
            reviewer=request.user,
            kind=kind,
            seen_version=_seen_version(request),
            reason=request.POST.get("reason", ""),
            comment=request.POST.get("comment", ""),
        )
    except decisions.StaleVersion as exc:
        question = question_get_for_user(request.user, uid)
        return _render_review(request, question, status=409, error=str(exc))
    except decisions.EditInvalid as exc:
        return _render_review(
            request, question, status=400, reject_errors=exc.errors, reject_open=True
        )
    except decisions.ReviewError as exc:
        return _render_review(request, question, status=400, error=str(exc))
    done = DecisionKind(kind).label.split(":")[0]
    return _go_to_next(request, question, f"{done}: question {question.uid}.")


@require_POST
@role_required(Role.CURATOR, Role.REVIEWER)
def question_solve(request: AuthenticatedHttpRequest, uid: str) -> HttpResponse:
    question = question_get_for_user(request.user, uid)
    try:
        solve = decisions.question_solve(
            question=question,
            reviewer=request.user,
            letter=request.POST.get("letter", ""),
        )
    except decisions.EditInvalid as exc:
        return _render_review(request, question, status=400, error=" ".join(exc.errors.values()))
    question = question_get_for_user(request.user, uid)
    verdict = (
        f"You answered {solve.letter}: that is the key."
        if solve.correct
        else f"You answered {solve.letter}; the key is {question.answer}. The item is flagged."
    )
    if not request.htmx:
        messages.info(request, verdict)
        return redirect("reviews:question", uid=uid)
    return _render_review(request, question, flash=verdict)


@require_POST
@role_required(Role.CURATOR)
def question_reopen(request: AuthenticatedHttpRequest, uid: str) -> HttpResponse:
    """Send a rejected question back to review (curators only)."""
    question = question_get_for_user(request.user, uid)
    try:
        decisions.question_reopen(
            question=question, curator=request.user, seen_version=_seen_version(request)
        )
    except decisions.ReviewError as exc:
        return _refused(request, question, exc)
    question = question_get_for_user(request.user, uid)
    reopened = f"Reopened: question {uid} is back in review; earlier decisions no longer count."
    if not request.htmx:
        messages.success(request, reopened)
        return redirect("reviews:question", uid=uid)
    return _render_review(request, question, flash=reopened)


@require_POST
@role_required(Role.CURATOR, Role.REVIEWER)
def question_comment(request: AuthenticatedHttpRequest, uid: str) -> HttpResponse:
    question = question_get_for_user(request.user, uid)
    try:
        edits.comment_add(
            question=question,
            author=request.user,
            text=request.POST.get("text", ""),
            at=request.POST.get("at", ""),
        )
    except decisions.EditInvalid as exc:
        return _render_review(request, question, status=400, comment_errors=exc.errors)
    if not request.htmx:
        return redirect("reviews:question", uid=uid)
    return _render_review(request, question, flash="Comment added.")


@require_POST
@role_required(Role.CURATOR, Role.REVIEWER)
def question_restore(request: AuthenticatedHttpRequest, uid: str, number: int) -> HttpResponse:
    question = question_get_for_user(request.user, uid)
    try:
        edits.question_restore(
            question=question,
            number=number,
            editor=request.user,
            seen_version=_seen_version(request),
        )
    except decisions.ReviewError as exc:
        return _refused(request, question, exc)
    question = question_get_for_user(request.user, uid)
    if not request.htmx:
        messages.success(request, f"Restored r{number} as version {question.version}.")
        return redirect("reviews:question", uid=uid)
    return _render_review(
        request, question, flash=f"Restored r{number} as version {question.version}."
    )


@role_required(Role.CURATOR, Role.REVIEWER)
def question_edit(request: AuthenticatedHttpRequest, uid: str) -> HttpResponse:
    question = question_get_for_user(request.user, uid)
    if request.method != "POST":
        return _render_review(request, question, editing=True)
    edit = edits.edit_from_post(request.POST, question)
    try:
        edits.question_edit(
            question=question,
            editor=request.user,
            seen_version=_seen_version(request),
            edit=edit,
        )
    except decisions.StaleVersion as exc:
        fresh = question_get_for_user(request.user, uid)
        rebased, conflicts = edits.rebase_edit(fresh, _seen_version(request), edit)
        message = f"{exc} Your changes are re-applied below on top of version {fresh.version}"
        if conflicts:
            message += f"; both of you changed {', '.join(conflicts)}: check them"
        return _render_review(
            request,
            fresh,
            status=409,
            editing=True,
            error=message + ". Save again to keep them.",
            draft=rebased,
        )
    except decisions.EditInvalid as exc:
        return _render_review(
            request, question, status=400, editing=True, errors=exc.errors, draft=edit
        )
    except decisions.ReviewError as exc:
        return _render_review(request, question, status=400, editing=True, error=str(exc))
    question = question_get_for_user(request.user, uid)
    saved = f"Saved version {question.version}."
    if not request.htmx:
        messages.success(request, saved)
        return redirect("reviews:question", uid=uid)
    return _render_review(request, question, flash=saved)
