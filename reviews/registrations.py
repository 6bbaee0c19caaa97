"""What the reviews app gives the layers below it, registered from `ReviewsConfig.ready()`.

The video layer and the accounts know nothing of questions; these functions tell them which
videos a reviewer covers, what the video pages show of questions, how many questions a new
file leaves citing times past its end, which disciplines questions use, and how a deactivated
person's held and assigned questions go back to the shared queue.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from reviews.models import Question, QuestionStatus
from reviews.selectors import questions_for_user, questions_with_keys_for_user, with_details
from sciannot.accounts.hooks import ReleasedWork
from sciannot.accounts.models import User
from videos.models import Video
from videos.scoping import scope_q


def reviewer_videos_q(user: Any) -> Q:
    """A reviewer sees a video in their field, or one with a question in their field (a
    video's own discipline may be blank when only its questions name one)."""
    question_video_ids = Question.objects.filter(scope_q(user)).values("video_id")
    return scope_q(user) | Q(pk__in=question_video_ids)


def videos_with_question_counts(queryset: QuerySet[Video]) -> QuerySet[Video]:
    """Each video with its number of questions, drafts and accepted questions."""
    return queryset.annotate(
        question_count=Count("questions", distinct=True),
        draft_count=Count(
            "questions", filter=Q(questions__status=QuestionStatus.DRAFT), distinct=True
        ),
        accepted_count=Count(
            "questions", filter=Q(questions__status=QuestionStatus.ACCEPTED), distinct=True
        ),
    )


def video_questions_context(user: Any, video: Video) -> dict[str, Any]:
    """The questions of `video` that `user` may see, for the video's page."""
    questions = with_details(
        questions_with_keys_for_user(
            user,
            questions_for_user(user).filter(video=video),
            what=f"the questions of video {video.video_id}",
        )
    )
    return {"questions": questions}


def questions_past_end_count(video: Video) -> int:
    """Questions of `video` whose evidence lies past its probed end."""
    assert video.duration is not None
    # MM:SS times are whole seconds: one second of slack, as the question import allows.
    return (
        Question.objects.filter(video=video, spans__end__gt=video.duration + 1.0).distinct().count()
    )


def question_disciplines() -> list[str]:
    """The disciplines questions use (a reviewer may cover any of them)."""
    return list(Question.objects.order_by().values_list("discipline", flat=True).distinct())


def questions_release_of(user: User) -> ReleasedWork:
    """Give back the questions `user` held or was assigned to the shared queue."""
    holds = Question.objects.filter(locked_by=user).update(
        locked_by=None, locked_until=None, locked_at=None
    )
    assignments = Question.objects.filter(assigned_to=user).update(assigned_to=None)
    return ReleasedWork(holds=holds, assignments=assignments)
