"""Seed the demo from the files in `demo/data/`, through the same services the importers use.

    demo/data/
      accounts.json                     the demo logins: username, role, password, disciplines
      videos.json                       one entry per video: id, title, discipline, subject,
                                        duration and the scenes the synthetic video shows
      transcripts/<video_id>.vtt        narration, imported as `import_videos` imports a .vtt
      manuscripts/<video_id>.md         the article, attached as `import_videos` attaches a .md
      demo-questions-accepted.jsonl     questions in the import format (`import_questions`),
      demo-questions-draft.jsonl        one file per status they are imported with
      drafting/recording.json           the recorded calls of the demo's drafting job
                                        (`demo.recorded_job`)

The videos themselves are generated (`videos.synthetic`), since the repository holds no media.
Idempotent: running it again creates nothing new and changes nothing that exists. The files'
structure is checked here with errors that name the file; what the content must say (grounded
times, balanced keys…) is checked by the editorial tests in `tests/demo/`.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from demo.lifecycle import LifecycleOutcome, demo_decide, demo_lifecycle
from demo.recorded_job import demo_recorded_job
from drafting.models import DraftJob
from reviews.models import QuestionStatus
from reviews.services.question_import import questions_import
from sciannot.accounts.models import Role, User
from sciannot.accounts.services import user_upsert
from sciannot.taxonomy import category_for_discipline
from videos.models import Benchmark, Manuscript, Transcript, Video
from videos.services import manuscript_attach, transcript_import_file, video_store_file
from videos.synthetic import make_synthetic_video

DATA_DIR = Path(__file__).resolve().parent / "data"

# Each file is imported with its status, in this order; its name is the revisions' reason.
QUESTION_FILES = (
    (QuestionStatus.ACCEPTED, "demo-questions-accepted.jsonl"),
    (QuestionStatus.DRAFT, "demo-questions-draft.jsonl"),
)


class DemoDataError(ValueError):
    """A demo data file is missing or not shaped as `demo/data/` expects."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    disciplines: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoVideo:
    video_id: str
    title: str
    discipline: str
    subject: str
    duration: float
    scenes: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class VideoQuality:
    width: int = 640
    height: int = 360
    fps: int = 15


# --- Reading the files ---------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DemoDataError(f"{path.name}: missing from {path.parent}") from exc
    except json.JSONDecodeError as exc:
        raise DemoDataError(f"{path.name}: not valid JSON ({exc})") from exc


def _entries(path: Path, fields: dict[str, type | tuple[type, ...]]) -> list[dict[str, Any]]:
    """The file's list of objects, each with exactly `fields`, of those types."""
    data = _read_json(path)
    if not isinstance(data, list):
        raise DemoDataError(f"{path.name}: expected a list of objects")
    for number, entry in enumerate(data, start=1):
        where = f"{path.name}: entry {number}"
        if not isinstance(entry, dict) or set(entry) != set(fields):
            raise DemoDataError(f"{where}: expected the fields {', '.join(fields)}")
        for name, kind in fields.items():
            value = entry[name]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise DemoDataError(f"{where}: {name} has the wrong type ({value!r})")
    return data


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DemoDataError(f"{where}: expected non-empty text, not {value!r}")
    return value


def load_accounts(data_dir: Path = DATA_DIR) -> tuple[DemoAccount, ...]:
    path = data_dir / "accounts.json"
    entries = _entries(path, {"username": str, "role": str, "password": str, "disciplines": list})
    accounts = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}: entry {number}"
        if entry["role"] not in Role.values:
            raise DemoDataError(f"{where}: unknown role {entry['role']!r}")
        disciplines = tuple(_text(d, f"{where}: disciplines") for d in entry["disciplines"])
        accounts.append(
            DemoAccount(
                username=_text(entry["username"], f"{where}: username"),
                role=entry["role"],
                password=_text(entry["password"], f"{where}: password"),
                disciplines=disciplines,
            )
        )
    return tuple(accounts)


def load_videos(data_dir: Path = DATA_DIR) -> tuple[DemoVideo, ...]:
    path = data_dir / "videos.json"
    number_type = (int, float)
    entries = _entries(
        path,
        {
            "video_id": str,
            "title": str,
            "discipline": str,
            "subject": str,
            "duration": number_type,
            "scenes": list,
        },
    )
    videos = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}: entry {number}"
        scenes = []
        for scene in entry["scenes"]:
            if (
                not isinstance(scene, dict)
                or set(scene) != {"start", "label"}
                or not isinstance(scene["start"], number_type)
            ):
                raise DemoDataError(f"{where}: a scene must be {{'start': seconds, 'label': text}}")
            scenes.append((float(scene["start"]), _text(scene["label"], f"{where}: scene")))
        video = DemoVideo(
            video_id=_text(entry["video_id"], f"{where}: video_id"),
            title=_text(entry["title"], f"{where}: title"),
            discipline=_text(entry["discipline"], f"{where}: discipline"),
            subject=_text(entry["subject"], f"{where}: subject"),
            duration=float(entry["duration"]),
            scenes=tuple(scenes),
        )
        for sidecar in (transcript_path(video, data_dir), manuscript_path(video, data_dir)):
            if not sidecar.is_file():
                raise DemoDataError(
                    f"{where}: {sidecar.parent.name}/{sidecar.name} is missing for {video.video_id}"
                )
        videos.append(video)
    ids = [video.video_id for video in videos]
    if len(set(ids)) != len(ids):
        raise DemoDataError(f"{path.name}: a video_id appears twice")
    return tuple(videos)


def transcript_path(video: DemoVideo, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / "transcripts" / f"{video.video_id}.vtt"


def manuscript_path(video: DemoVideo, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / "manuscripts" / f"{video.video_id}.md"


def question_paths(data_dir: Path = DATA_DIR) -> list[tuple[str, Path]]:
    return [(status, data_dir / name) for status, name in QUESTION_FILES]


# --- Seeding -------------------------------------------------------------------------------------


def database_is_empty() -> bool:
    return not User.objects.exists() and not Video.objects.exists()


def demo_logins(data_dir: Path = DATA_DIR) -> list[DemoAccount]:
    """The demo accounts that exist in the database, in the file's order."""
    accounts = load_accounts(data_dir)
    existing = set(
        User.objects.filter(username__in=[a.username for a in accounts]).values_list(
            "username", flat=True
        )
    )
    return [account for account in accounts if account.username in existing]


def _generate_media(video: Video, demo: DemoVideo, quality: VideoQuality) -> None:
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
        # Another worker (or a `seed_demo` run) may have stored it meanwhile: keep theirs.
        video.refresh_from_db(fields=["original"])
        if not video.original:
            video_store_file(video=video, path=path)


def _ensure_video(
    benchmark: Benchmark,
    demo: DemoVideo,
    quality: VideoQuality,
    log: Callable[[str], None],
    data_dir: Path,
    media_later: bool,
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
        if media_later:
            log(f"Queued {demo.video_id} ({demo.duration:.0f} s) for the worker to generate…")
        else:
            log(f"Generating {demo.video_id} ({demo.duration:.0f} s)…")
            _generate_media(video, demo, quality)
    if not Transcript.objects.filter(video=video).exists():
        transcript_import_file(video=video, path=transcript_path(demo, data_dir))
    if not Manuscript.objects.filter(video=video).exists():
        manuscript = manuscript_path(demo, data_dir)
        manuscript_attach(
            video=video,
            text=manuscript.read_text(encoding="utf-8"),
            source_name=manuscript.name,
            title=demo.title,
        )
    return video


def demo_seed(
    *,
    benchmark: Benchmark,
    quality: VideoQuality | None = None,
    log: Callable[[str], None] = lambda message: None,
    data_dir: Path = DATA_DIR,
    media_later: bool = False,
) -> dict[str, Any]:
    """Create the demo accounts, videos and questions that are missing. Returns counts, and
    under "pending" the videos whose files are still to be generated.

    With `media_later` the videos' rows, transcripts, manuscripts and questions are created at
    once and the files are left to `demo_video_generate` (the worker's `demo.generate_video`),
    so a first start need not wait for them."""
    quality = quality or VideoQuality()
    accounts = load_accounts(data_dir)
    videos = load_videos(data_dir)
    # The demo shows two-expert agreement: an item needs two independent accepts.
    if benchmark.required_accepts != 2:
        benchmark.required_accepts = 2
        benchmark.save(update_fields=["required_accepts"])
    for account in accounts:
        if not User.objects.filter(username=account.username).exists():
            user_upsert(
                username=account.username,
                role=account.role,
                password=account.password,
                disciplines=account.disciplines,
            )
    pending: list[int] = []
    for demo in videos:
        video = _ensure_video(benchmark, demo, quality, log, data_dir, media_later)
        if not video.original:
            pending.append(video.pk)
    with transaction.atomic():
        created = 0
        for status, path in question_paths(data_dir):
            created += questions_import(benchmark=benchmark, path=path, status=status).created
        decisions = demo_decide(benchmark=benchmark, data_dir=data_dir)
    # The release and what follows it need every video's file: now when they are all here,
    # else from the worker that stores the last one.
    outcome = demo_lifecycle_step(benchmark=benchmark, data_dir=data_dir, log=log)
    # The drafting job from recorded calls needs its video's file too: run here when the
    # files were made here, else queued by the worker that stores it.
    job = demo_recorded_job(benchmark=benchmark, inline=not media_later, data_dir=data_dir, log=log)
    return {
        "videos": len(videos),
        "questions_created": created,
        "decisions": decisions,
        "release": outcome.release,
        "drafting_job": job,
        "pending": pending,
    }


def demo_lifecycle_step(
    *,
    benchmark: Benchmark | None = None,
    data_dir: Path = DATA_DIR,
    log: Callable[[str], None] = lambda message: None,
) -> LifecycleOutcome:
    """The release, studies and model runs, once every demo video has its file; idempotent.
    Without a benchmark, the default one if it exists (a worker that starts creates none)."""
    if benchmark is None:
        benchmark = Benchmark.objects.filter(name=settings.SCIANNOT_DEFAULT_BENCHMARK).first()
        if benchmark is None:
            return LifecycleOutcome()
    return demo_lifecycle(
        benchmark=benchmark,
        video_ids=[demo.video_id for demo in load_videos(data_dir)],
        data_dir=data_dir,
        log=log,
    )


def demo_recorded_job_step(
    *, data_dir: Path = DATA_DIR, log: Callable[[str], None] = lambda message: None
) -> DraftJob | None:
    """Queue the demo's recorded drafting job to the workers if its video has its file and
    it does not exist yet, in the default benchmark if there is one (a worker creates none)."""
    benchmark = Benchmark.objects.filter(name=settings.SCIANNOT_DEFAULT_BENCHMARK).first()
    if benchmark is None:
        return None
    return demo_recorded_job(benchmark=benchmark, inline=False, data_dir=data_dir, log=log)


def demo_videos_without_media(data_dir: Path = DATA_DIR) -> list[int]:
    """The demo's videos that exist without a file and that no worker is generating now
    (their generation was queued and lost, or never ran), in the file's order."""
    ids = [demo.video_id for demo in load_videos(data_dir)]
    rows = dict(
        Video.objects.filter(video_id__in=ids, original="")
        .filter(Q(copy_lease_until__isnull=True) | Q(copy_lease_until__lt=timezone.now()))
        .values_list("video_id", "pk")
    )
    return [rows[video_id] for video_id in ids if video_id in rows]


def demo_video_generate(
    *, video_pk: int, quality: VideoQuality | None = None, data_dir: Path = DATA_DIR
) -> bool:
    """Generate and store the file of one demo video that has none. Idempotent: False when
    the video is gone, already has a file, is not one of the demo's, or another worker holds
    its lease (the same lease a browser copy takes: one worker makes a video's media at a
    time, and a worker that dies frees it when the lease runs out)."""
    video = Video.objects.filter(pk=video_pk, original="").first()
    if video is None:
        return False
    demo = next((d for d in load_videos(data_dir) if d.video_id == video.video_id), None)
    if demo is None:
        return False
    now = timezone.now()
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]
    claimed = (
        Video.objects.filter(pk=video_pk, original="")
        .filter(Q(copy_lease_until__isnull=True) | Q(copy_lease_until__lt=now))
        .update(
            copy_lease_owner=owner,
            copy_lease_until=now + timedelta(seconds=int(settings.VIDEO_COPY_LEASE_SECONDS)),
        )
    )
    if not claimed:
        return False
    try:
        _generate_media(video, demo, quality or VideoQuality())
    finally:
        Video.objects.filter(pk=video_pk, copy_lease_owner=owner).update(
            copy_lease_owner="", copy_lease_until=None
        )
    video.refresh_from_db(fields=["original"])
    return bool(video.original)
