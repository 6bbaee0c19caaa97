"""seed_demo: accounts, real videos, transcripts, manuscripts, questions; idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from baselines.leaderboard import leaderboard
from baselines.models import Answer, ModelRun, Study, StudyStatus
from baselines.services import open_studies_of, show_item
from demo.lifecycle import load_lifecycle
from demo.seed import DATA_DIR, load_accounts, load_videos, question_paths
from drafting.models import DraftJob, JobStatus, LLMCall
from drafting.recording import recording_load
from releases.models import Release
from releases.rebalance import rebalance_propose
from releases.rows import FreezeRequest
from reviews.models import Decision, Question, QuestionSource, QuestionStatus, Revision
from reviews.selectors import review_queue
from sciannot.accounts.models import User
from videos.models import Benchmark, MediaStatus, Video

pytestmark = pytest.mark.django_db

VIDEOS = load_videos()
QUESTIONS = [line for _, path in question_paths() for line in path.read_text().splitlines()]
LIFECYCLE = load_lifecycle()
ACCEPTED_ON_IMPORT = len(question_paths()[0][1].read_text().splitlines())
RECORDING, _ = recording_load(DATA_DIR / "drafting" / "recording.json")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--width", "160", "--height", "90", "--fps", "5", *args, stdout=out)
    return out.getvalue()


def snapshot() -> tuple[object, ...]:
    return (
        sorted(Video.objects.values_list("video_id", "sha256", "original")),
        sorted(Question.objects.values_list("uid", "version", "status")),
        Revision.objects.count(),
        sorted(User.objects.values_list("username", "password")),
        sorted(Decision.objects.values_list("question__uid", "reviewer__username", "kind")),
        sorted(Release.objects.values_list("name", "version", "manifest")),
        sorted(Study.objects.values_list("name", "status")),
        Answer.objects.count(),
        sorted(ModelRun.objects.values_list("model", "file_sha256")),
        sorted(DraftJob.objects.values_list("pk", "status", "calls_made", "cost")),
        LLMCall.objects.count(),
    )


def imported() -> object:
    return Question.objects.exclude(source=QuestionSource.LLM)


def assert_recorded_job_seeded() -> None:
    """The demo's drafting job ran to the end on its video from the recorded calls: its
    stages, every call with tokens, latency and cost, the verifier's flags, and its drafts
    waiting in the review queue like any job's."""
    job = DraftJob.objects.get()
    assert (job.status, job.error, job.provider) == (JobStatus.DONE, "", "recorded")
    assert (job.video.video_id, job.model) == (RECORDING.video_id, RECORDING.model)
    assert job.created_by is not None and job.created_by.username == "curator"
    assert list(job.stages.values_list("status", flat=True)) == ["done"] * 8
    calls = list(job.calls.order_by("pk"))
    assert [c.key for c in calls] == list(RECORDING.calls)
    assert all(c.status == "ok" and c.provider == "recorded" for c in calls)
    assert all(c.prompt_tokens and c.completion_tokens and c.latency_ms for c in calls)
    assert all(c.cost is not None and c.cost > 0 for c in calls)
    assert job.cost == sum(c.cost for c in calls) == job.estimated_cost
    # The generator's first reply failed validation and was repaired.
    assert job.calls.get(key="generate").retries == 1
    # Frames of the real video went to the agents that see it.
    media = job.calls.get(key="verify:0").attempts[0]["request"]["media"]
    assert media and all(m["bytes"] > 0 for m in media)
    # The verifier caught a wrong key and an ambiguous option; the refiner fixed both, and
    # the re-check left one draft flagged as answerable without the video.
    before = {
        c["index"]: [f["kind"] for f in c.get("flags_before_refine", [])] for c in job.candidates
    }
    assert before == {0: [], 1: ["verifier_disagrees"], 2: ["ambiguous"]}
    drafts = Question.objects.filter(source=QuestionSource.LLM).order_by("question_id")
    assert drafts.count() == job.drafts_created == RECORDING.count
    assert {q.video_id for q in drafts} == {job.video_id}
    assert [[f["kind"] for f in q.flags] for q in drafts] == [[], ["answerable_without_video"], []]
    curator = User.objects.get(username="curator")
    queued = set(review_queue(curator).values_list("pk", flat=True))
    assert {q.pk for q in drafts} <= queued


def assert_lifecycle_seeded() -> None:
    """The demo past review: decisions, the adjudication item, the frozen release with two
    splits, a closed study answered by three evaluators and an open one, three model runs."""
    # Two reviewers accepted four drafts and split on a fifth.
    promoted = {d["item"] for d in LIFECYCLE["decisions"] if d["kind"] == "accept"}
    assert Decision.objects.count() == len(LIFECYCLE["decisions"])
    accepted = Question.objects.filter(status=QuestionStatus.ACCEPTED)
    adjudication = Question.objects.filter(status=QuestionStatus.ADJUDICATION)
    assert adjudication.count() == 1
    assert accepted.count() == ACCEPTED_ON_IMPORT + len(promoted) - 1
    split = adjudication.get()
    assert set(split.decisions.values_list("reviewer__username", "kind")) == {
        ("reviewer", "accept"),
        ("reviewer2", "reject"),
    }

    release = Release.objects.get()
    assert release.sealed and release.splits == ["test", "val"]
    assert release.items.count() == accepted.count()
    assert set(release.items.values_list("source_id", flat=True)) == set(
        accepted.values_list("pk", flat=True)
    )
    # Every demo video's file is recorded in the release.
    files = release.manifest["video_files"]
    assert set(files) == {v.video_id for v in VIDEOS}
    assert all(len(entry["sha256"]) == 64 for entry in files.values())

    closed = Study.objects.get(status=StudyStatus.CLOSED)
    assert closed.split == "test"
    answered = closed.participants.order_by("evaluator__username")
    assert [p.evaluator.username for p in answered] == ["evaluator2", "evaluator3", "evaluator4"]
    tests_items = release.items.filter(split="test").count()
    for participation in answered:
        assert participation.answers.filter(answered_at__isnull=False).count() == tests_items
    open_study = Study.objects.get(status=StudyStatus.OPEN)
    assert open_study.split == "val"
    # The main evaluator login has the open study to answer, and it shows an item.
    evaluator = User.objects.get(username="evaluator")
    participation = open_studies_of(evaluator).get()
    assert participation.study == open_study
    shown = show_item(participation)
    assert shown is not None and shown.options

    board = leaderboard(release, "test")
    kinds = sorted(row["kind"] for row in board["rows"])
    assert kinds == ["chance", "human", "model", "model", "model"]
    models = {row["name"]: row for row in board["rows"] if row["kind"] == "model"}
    assert set(models) == {m["model"] for m in LIFECYCLE["models"]}
    assert any("text only" in name for name in models)
    human = next(row for row in board["rows"] if row["kind"] == "human")
    assert human["evaluators"] == 3 and human["overall"]["total"] == 3 * tests_items
    # The models differ, and the best of them beats the text-only one.
    scores = {name: row["overall"]["acc"] for name, row in models.items()}
    text_only = next(name for name in scores if "text only" in name)
    assert max(scores.values()) > scores[text_only]


def test_it_seeds_the_demo_once_and_changes_nothing_the_second_time(settings: object) -> None:
    # The job runs in this process, inside the test's transaction: a long lease keeps its
    # heartbeat (another connection, which cannot see the stage) from ever checking.
    settings.DRAFT_LEASE_SECONDS = 600  # type: ignore[attr-defined]
    out = seed()

    roles = {u.username: u.role for u in User.objects.all()}
    assert roles == {a.username: a.role for a in load_accounts()}
    # The first three logins stay as they were.
    assert {name: roles[name] for name in ("curator", "reviewer", "evaluator")} == {
        "curator": "curator",
        "reviewer": "reviewer",
        "evaluator": "evaluator",
    }
    assert sorted(roles.values()).count("evaluator") >= 4
    assert "password curator-demo" in out
    videos = Video.objects.order_by("video_id")
    assert [v.video_id for v in videos] == [f"demo-{n}" for n in range(1, len(VIDEOS) + 1)]
    assert len(VIDEOS) >= 4
    for video, demo in zip(videos, VIDEOS, strict=True):
        assert video.media_status == MediaStatus.READY
        assert 120 <= video.duration <= 240
        assert video.duration == pytest.approx(demo.duration, abs=0.5)
        assert video.transcript.cues.count() >= 10
        assert video.manuscript.text.strip()
    assert imported().count() == len(QUESTIONS) >= 30
    statuses = set(Question.objects.values_list("status", flat=True))
    assert statuses == {
        QuestionStatus.DRAFT,
        QuestionStatus.ACCEPTED,
        QuestionStatus.ADJUDICATION,
    }
    assert Question.objects.filter(status=QuestionStatus.DRAFT).count() > len(QUESTIONS) / 2
    assert set(Question.objects.values_list("category", flat=True)) == {
        "Physics",
        "Chemistry",
        "Biology",
        "Medicine",
    }
    assert set(Question.objects.values_list("question_type", flat=True)) == {
        "Conceptual Reasoning",
        "Hypothetical Reasoning",
        "Quantitative Reasoning",
    }
    assert (
        Question.objects.filter(spans__isnull=False).distinct().count() == Question.objects.count()
    )
    assert_lifecycle_seeded()
    assert_recorded_job_seeded()
    assert "Drafting job" in out and "3 drafts from 13 recorded calls" in out
    # "Even out answer letters" has something to do for the next version of the release:
    # two accepted keys share a letter that another letter lacks, and one of them can move.
    proposal = rebalance_propose(
        Benchmark.objects.default(), FreezeRequest(name="demo-bench", version="1.1.0")
    )
    assert proposal.total == Question.objects.filter(status=QuestionStatus.ACCEPTED).count()
    assert proposal.moves
    assert max(proposal.counts_after.values()) - min(proposal.counts_after.values()) <= 1
    before = snapshot()

    seed()

    assert snapshot() == before


def test_it_skips_a_database_that_is_not_empty_with_if_empty(curator: object) -> None:
    out = seed("--if-empty")
    assert "not seeded again" in out
    assert not Video.objects.exists()
