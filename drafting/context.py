"""What the drafting agents are told about a video: its facts, the transcript with times, the
manuscript, curators' exemplar questions, and frames sampled with their times."""

from __future__ import annotations

from typing import Any

from drafting.providers import Media
from reviews.models import Question, QuestionStatus
from reviews.timeparse import format_timestamp
from sciannot.taxonomy import category_for_discipline
from videos.media.poster import extract_poster
from videos.media.probe import MediaError
from videos.models import Video
from videos.stored_files import local_path

TRANSCRIPT_LIMIT = 60_000
MANUSCRIPT_LIMIT = 12_000
EXEMPLARS = 3
FRAME_WIDTH = 512


def video_category(video: Video) -> str:
    return video.category or category_for_discipline(video.discipline) or ""


def transcript_lines(video: Video) -> list[tuple[float, float, str]]:
    transcript = getattr(video, "transcript", None)
    if transcript is None:
        return []
    return [(cue.start, cue.end, cue.text) for cue in transcript.cues.order_by("index")]


def build_context(video: Video, *, frames: int) -> dict[str, Any]:
    """The context every agent of a job shares, as stored in the context stage's output."""
    duration = video.duration or 0.0
    cues = transcript_lines(video)
    transcript = "\n".join(f"{format_timestamp(start)}  {text}" for start, _end, text in cues)
    manuscript = getattr(video, "manuscript", None)
    manuscript_text = manuscript.text if manuscript is not None else ""
    category = video_category(video)
    exemplars = [
        {
            "question": q.text,
            "question_type": q.question_type,
            "answer": q.answer,
            "answer_text": next((o.text for o in q.options.all() if o.letter == q.answer), ""),
        }
        for q in Question.objects.filter(
            video__benchmark=video.benchmark,
            category=category,
            status=QuestionStatus.ACCEPTED,
            exemplar=True,
        )
        .prefetch_related("options")
        .order_by("-updated_at")[:EXEMPLARS]
    ]
    times = frame_times(video, frames)
    return {
        "video": {
            "video_id": video.video_id,
            "title": video.title,
            "discipline": video.discipline,
            "category": category,
            "subject": video.subject,
            "duration": round(duration, 3),
            "duration_text": format_timestamp(duration),
        },
        "transcript": transcript[:TRANSCRIPT_LIMIT],
        "transcript_truncated": len(transcript) > TRANSCRIPT_LIMIT,
        "manuscript": manuscript_text[:MANUSCRIPT_LIMIT],
        "exemplars": exemplars,
        "frame_times": times,
        "video_uri": "",
    }


def frame_times(video: Video, frames: int) -> list[float]:
    """Where `frames` pictures are sampled: the middles of equal parts of the video; none
    for a video without a file or a known duration."""
    duration = video.duration or 0.0
    count = frames if video.original and duration else 0
    return [round((i + 0.5) * duration / count, 2) for i in range(count)] if count else []


def extract_frames(video: Video, times: list[float]) -> list[Media]:
    """JPEG frames at the given times (seconds on the original's timeline), labelled."""
    if not times or not video.original:
        return []
    frames = []
    with local_path(video.original) as path:
        for at in times:
            try:
                data = extract_poster(path, at_seconds=at, max_width=FRAME_WIDTH)
            except MediaError:
                continue
            frames.append(
                Media(label=f"Frame at {format_timestamp(at)}", mime="image/jpeg", data=data)
            )
    return frames
