"""One of everything a page can show, with the text of every field chosen by the test.

The CSP and header tests fill it with plain words; the XSS test fills every place where
untrusted text enters with markup and script that must come out as text. Text goes in
through the same doors people and scripts use: the import commands, the review pages'
forms, the release, study and prediction commands; only what has no door of its own (a
video's title, a drafting job's record) is written to the database directly.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

LETTERS = "ABCDEFGHIJ"
PASSWORD = "pw-secure-world"

Mark = Callable[[str], str]


def plain(where: str) -> str:
    """Harmless text that names where it was put."""
    return f"plain {where}"


@dataclass
class World:
    curator: Any
    reviewer: Any
    evaluator: Any
    video: Any
    review_question: Any
    rejected_question: Any
    release: Any
    study: Any
    job: Any
    call: Any
    evaluation: Any
    eval_call: Any

    def pages(self) -> dict[str, list[str]]:
        """Every page each role can open, as paths."""
        from django.urls import reverse

        q = self.review_question.uid
        curator = [
            "/videos/",
            f"/videos/{self.video.pk}/",
            "/questions/",
            f"/questions/?q={self.review_question.text[:12]}",
            f"/questions/{q}/",
            f"/questions/{q}/edit",
            f"/questions/{self.rejected_question.uid}/",
            "/questions/adjudication/",
            "/questions/dashboard/",
            "/drafting/jobs/",
            f"/drafting/jobs/{self.job.pk}/",
            f"/drafting/calls/{self.call.pk}/",
            f"/drafting/new/?video={self.video.pk}",
            "/releases/",
            "/releases/new/",
            f"/releases/{self.release.pk}/",
            "/baseline/",
            "/baseline/studies/new/",
            f"/baseline/studies/{self.study.pk}/",
            "/leaderboard/",
            f"/leaderboard/{self.release.pk}/test/",
            f"/leaderboard/{self.release.pk}/test/analysis/",
            f"/leaderboard/{self.release.pk}/test/evaluate",
            f"/leaderboard/evaluations/{self.evaluation.pk}/",
            f"/leaderboard/evaluations/{self.evaluation.pk}/calls/{self.eval_call.pk}/",
            reverse("admin:index"),
            reverse("admin:reviews_question_changelist"),
            reverse("admin:reviews_question_change", args=[self.review_question.pk]),
            reverse("admin:videos_video_change", args=[self.video.pk]),
            reverse("admin:videos_transcript_changelist"),
            reverse("admin:videos_manuscript_changelist"),
            reverse("admin:accounts_user_change", args=[self.reviewer.pk]),
            reverse("admin:accounts_user_changelist"),
            reverse("admin:releases_release_change", args=[self.release.pk]),
            reverse("admin:drafting_draftjob_change", args=[self.job.pk]),
            reverse("admin:drafting_llmcall_change", args=[self.call.pk]),
        ]
        reviewer = [
            "/questions/",
            f"/questions/{q}/",
            f"/questions/{q}/edit",
            f"/questions/{self.rejected_question.uid}/",
            "/videos/",
            f"/videos/{self.video.pk}/",
            f"/leaderboard/{self.release.pk}/test/analysis/",
        ]
        evaluator = ["/baseline/", f"/baseline/{self.study.pk}/"]
        return {"curator": curator, "reviewer": reviewer, "evaluator": evaluator}


def _items(mark: Mark, short: Mark) -> list[dict[str, Any]]:
    items = []
    for n in range(1, 6):
        start, end = 2 + 3 * n, 4 + 3 * n
        items.append(
            {
                "video_id": "1001",
                "question_id": str(n),
                "question": (
                    f"Question {n}: what happens between 00:{start:02d} and 00:{end:02d}? "
                    + mark(f"question-{n}")
                ),
                "options": {
                    letter: f"{letter}{n} " + mark(f"option-{letter}") for letter in LETTERS
                },
                "answer": LETTERS[n],
                "question_type": "Conceptual Reasoning",
                "discipline": "Biology",
                "subject": short("subject"),
                "video_duration": 20.0,
                "timestamp_breakdown": [f"00:{start:02d}-00:{end:02d}: " + mark(f"note-{n}")],
                "rationale": mark(f"rationale-{n}"),
            }
        )
    return items


def _user(username: str, role: str, mark: Mark, **extra: Any) -> Any:
    from sciannot.accounts.models import User

    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        first_name=mark(f"first-name-{role}")[:150],
        last_name=mark(f"last-name-{role}")[:150],
        **extra,
    )
    return user


def build_world(
    tmp_path: Path,
    video_dir: Path,
    *,
    mark: Mark = plain,
    short: Mark = plain,
    usernames: tuple[str, str, str] = ("cora", "bea", "eva"),
) -> World:
    """Everything the pages show. `mark(where)` is the text put at `where`; `short(where)`
    is used where a field is short (names)."""
    from drafting.models import Draft, DraftJob, DraftStage, LLMCall
    from releases.models import Release
    from reviews.models import Question
    from videos.models import Video

    out = io.StringIO()
    curator = _user(usernames[0], "curator", mark, is_staff=True, is_superuser=True)
    reviewer = _user(usernames[1], "reviewer", mark, disciplines=["Biology"])
    evaluator = _user(usernames[2], "evaluator", mark)

    # A real video, with a transcript and a manuscript beside it.
    folder = tmp_path / "import"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder / "jove_1001.mp4")
    cues = "".join(
        f"00:{4 * n:02d}.000 --> 00:{4 * n + 4:02d}.000\nCue {n}: {mark(f'cue-{n}')}\n\n"
        for n in range(4)
    )
    (folder / "1001.vtt").write_text("WEBVTT\n\n" + cues, encoding="utf-8")
    (folder / "1001.md").write_text("# Methods\n\n" + mark("manuscript") + "\n", encoding="utf-8")
    call_command("import_videos", str(folder), stdout=out, stderr=out)
    items_file = tmp_path / "items.jsonl"
    items_file.write_text(
        "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in _items(mark, short)),
        encoding="utf-8",
    )
    call_command("import_questions", str(items_file), stdout=out)
    video = Video.objects.get(video_id="1001")
    Video.objects.filter(pk=video.pk).update(title=mark("video-title")[:300])
    video.refresh_from_db()

    # Items 1-3 accepted and frozen; 4 is reviewed and commented on; 5 is rejected.
    Question.objects.filter(video=video, question_id__in=["1", "2", "3"]).update(status="accepted")
    call_command(
        "freeze_release",
        "svb",
        "--version",
        "1.0.0",
        "--video",
        "1001",
        "--description",
        mark("release-description"),
        "--license",
        mark("release-license"),
        stdout=out,
        stderr=out,
    )
    release = Release.objects.get(name="svb", version="1.0.0")
    review_question = Question.objects.get(video=video, question_id="4")
    rejected = Question.objects.get(video=video, question_id="5")

    as_reviewer = Client()
    as_reviewer.force_login(reviewer)
    response = as_reviewer.post(
        f"/questions/{review_question.uid}/comment", {"text": mark("comment"), "at": "00:03"}
    )
    assert response.status_code in (200, 302), response.content[:500]
    response = as_reviewer.post(
        f"/questions/{rejected.uid}/decide",
        {
            "kind": "reject",
            "reason": "ambiguous",
            "comment": mark("reject-comment"),
            "version": rejected.version,
        },
    )
    assert response.status_code in (200, 302), response.content[:500]
    rejected.refresh_from_db()
    assert rejected.status == "rejected"

    predictions = tmp_path / "predictions.jsonl"
    uids = release.items.values_list("uid", flat=True)
    predictions.write_text(
        "".join(json.dumps({"uid": uid, "prediction": mark("reply")}) + "\n" for uid in uids),
        encoding="utf-8",
    )
    call_command(
        "import_predictions",
        short("model")[:200],
        str(predictions),
        "--release",
        "svb",
        "--version",
        "1.0.0",
        stdout=out,
    )
    call_command(
        "baseline_study",
        short("study")[:100],
        "--release",
        "svb",
        "--version",
        "1.0.0",
        "--evaluators",
        evaluator.username,
        stdout=out,
    )
    from baselines.models import Study

    study = Study.objects.get()

    # A drafting job that failed, with what a model might have written everywhere.
    job = DraftJob.objects.create(
        video=video,
        created_by=curator,
        status="failed",
        error=mark("job-error"),
        count=1,
        type_mix={"Conceptual Reasoning": 1},
        provider="openai",
        model=short("llm-model")[:200],
        candidates=[
            {
                "index": 0,
                "item": {"question": mark("candidate"), "answer": "B"},
                "failed": mark("candidate-failed"),
                "flags": [{"detail": mark("flag")}],
                "checks": {"verify": {"answer": mark("verify-answer")[:40]}},
            }
        ],
    )
    stage = DraftStage.objects.create(
        job=job,
        name="generate",
        order=1,
        status="failed",
        error=mark("stage-error"),
        output={"note": mark("stage-output")},
    )
    call = LLMCall.objects.create(
        job=job,
        stage=stage,
        key="generate:0",
        provider="openai",
        model=short("llm-model")[:200],
        prompt_name="generator",
        prompt_version="v1",
        prompt_hash="0" * 64,
        status="failed",
        error=mark("call-error"),
        attempts=[
            {
                "request": {
                    "messages": [{"role": "user", "content": mark("prompt")}],
                    "media": [{"label": mark("media-label"), "mime": "image/jpeg"}],
                },
                "response_text": mark("response"),
                "error": mark("attempt-error"),
            }
        ],
        response_text=mark("response"),
    )
    Draft.objects.create(
        job=job,
        index=0,
        question=review_question,
        record={"checks": {"verify": {"answer": mark("record-answer")[:40]}}},
    )
    # A model evaluation run stopped part way, with one recorded call.
    from baselines.models import EvalCall, EvalItem, Evaluation

    evaluation = Evaluation.objects.create(
        release=release,
        split="test",
        model=short("eval-model"),
        name=short("eval-model"),
        provider="openai",
        max_calls=10,
        status="failed",
        reason=mark("reason"),
        created_by=curator,
    )
    first = release.items.filter(split="test").order_by("position")[0]
    work = EvalItem.objects.create(
        evaluation=evaluation,
        item=first,
        position=0,
        video_id=first.video_id,
        prompt=mark("prompt"),
        status="failed",
        reply=mark("reply"),
        error=mark("error"),
    )
    eval_call = EvalCall.objects.create(
        evaluation=evaluation,
        work=work,
        provider="openai",
        model=short("eval-model"),
        status="failed",
        error=mark("call-error"),
        attempts=[
            {
                "request": {"messages": [{"role": "user", "content": mark("asked")}]},
                "response_text": mark("answered"),
                "error": "",
                "waited": 0.0,
            }
        ],
        response_text=mark("answered"),
    )
    return World(
        curator=curator,
        reviewer=reviewer,
        evaluator=evaluator,
        video=video,
        review_question=review_question,
        rejected_question=rejected,
        release=release,
        study=study,
        job=job,
        call=call,
        evaluation=evaluation,
        eval_call=eval_call,
    )
