"""Demo data: accounts, synthetic experiment videos, transcripts, manuscripts and questions.

Idempotent: running it again creates nothing new and changes nothing that exists.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from reviews.demo.content import QUESTIONS, VIDEOS, DemoVideo
from reviews.models import QuestionStatus
from reviews.services.question_import import ImportReport, questions_import
from sciannot.accounts.models import Role, User
from sciannot.accounts.services import user_upsert
from sciannot.taxonomy import category_for_discipline
from videos.models import Benchmark, Manuscript, Transcript, Video
from videos.services import manuscript_attach, transcript_attach, video_store_file
from videos.synthetic import make_synthetic_video
from videos.transcripts import Cue


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    disciplines: tuple[str, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount("curator", Role.CURATOR, "curator-demo"),
    DemoAccount("reviewer", Role.REVIEWER, "reviewer-demo", ("Biology", "Chemistry")),
    DemoAccount("evaluator", Role.EVALUATOR, "evaluator-demo"),
)

# The first question of each video is imported as accepted, so every page has both kinds.
ACCEPTED_QUESTION_IDS = {"1"}


@dataclass(frozen=True)
class VideoQuality:
    width: int = 640
    height: int = 360
    fps: int = 15


def database_is_empty() -> bool:
    return not User.objects.exists() and not Video.objects.exists()


def demo_logins() -> list[DemoAccount]:
    existing = set(
        User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    return [account for account in DEMO_ACCOUNTS if account.username in existing]


def _ensure_video(
    benchmark: Benchmark, demo: DemoVideo, quality: VideoQuality, log: Callable[[str], None]
) -> Video:
    category = category_for_discipline(demo.discipline) or ""
    video, _ = Video.objects.get_or_create(
        benchmark=benchmark,
        video_id=demo.video_id,
        defaults={
            "title": demo.title,
            "discipline": demo.discipline,
            "category": category,
            "subject": demo.subject,
            "duration": demo.duration,
        },
    )
    if not video.title:
        Video.objects.filter(pk=video.pk).update(
            title=demo.title, discipline=demo.discipline, category=category, subject=demo.subject
        )
        video.refresh_from_db()
    if not video.original:
        log(f"Generating {demo.video_id} ({demo.duration:.0f} s)…")
        with tempfile.TemporaryDirectory() as workdir:
            path = Path(workdir) / f"jove_{demo.video_id}.mp4"
            make_synthetic_video(
                path,
                duration=demo.duration,
                width=quality.width,
                height=quality.height,
                fps=quality.fps,
                title=demo.title,
                scenes=demo.scenes,
            )
            video_store_file(video=video, path=path)
    if not Transcript.objects.filter(video=video).exists():
        cues = [Cue(start, end, text) for start, end, text in demo.cues]
        transcript_attach(
            video=video, cues=cues, source_name=f"{demo.video_id}.vtt", source_format="vtt"
        )
    if not Manuscript.objects.filter(video=video).exists():
        manuscript_attach(
            video=video, text=demo.manuscript, source_name=f"{demo.video_id}.md", title=demo.title
        )
    return video


def _import_questions(
    benchmark: Benchmark, status: str, items: list[dict[str, object]]
) -> ImportReport:
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / f"demo-questions-{status}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
        return questions_import(benchmark=benchmark, path=path, status=status)


def demo_seed(
    *,
    benchmark: Benchmark,
    quality: VideoQuality | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, int]:
    """Create the demo accounts, videos and questions that are missing. Returns counts."""
    quality = quality or VideoQuality()
    # The demo shows two-expert agreement: an item needs two independent accepts.
    if benchmark.required_accepts != 2:
        benchmark.required_accepts = 2
        benchmark.save(update_fields=["required_accepts"])
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user_upsert(
                username=account.username,
                role=account.role,
                password=account.password,
                disciplines=account.disciplines,
            )
    for demo in VIDEOS:
        _ensure_video(benchmark, demo, quality, log)
    accepted = [q for q in QUESTIONS if str(q["question_id"]) in ACCEPTED_QUESTION_IDS]
    drafts = [q for q in QUESTIONS if str(q["question_id"]) not in ACCEPTED_QUESTION_IDS]
    with transaction.atomic():
        created = 0
        for status, items in ((QuestionStatus.ACCEPTED, accepted), (QuestionStatus.DRAFT, drafts)):
            created += _import_questions(benchmark, status, items).created
    return {"videos": len(VIDEOS), "questions_created": created}
