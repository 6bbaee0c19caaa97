"""The one-way layers (sciannot -> videos -> reviews -> drafting -> releases -> baselines), the
hooks through which the upper apps give the lower ones their part, and the one vocabulary."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.template import Context, Template

from drafting.registrations import question_draft_origin, video_rows_latest_job
from reviews import page_parts as review_page_parts
from reviews.models import Question
from reviews.registrations import (
    question_disciplines,
    questions_past_end_count,
    questions_release_of,
    reviewer_videos_q,
    video_questions_context,
    videos_with_question_counts,
)
from sciannot.accounts import hooks as account_hooks
from sciannot.accounts.hooks import disciplines_in_use, work_release
from sciannot.accounts.models import Role, User
from sciannot.vocabulary import CLOCK_TIME, LETTERS, TIME_LIKE
from tests.factories import make_item
from videos import page_parts as video_page_parts
from videos import scoping
from videos.models import Video
from videos.scoping import visible_videos

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold() -> None:
    """import-linter: no app imports one above it, and the export harness imports nothing of
    the project (pyproject.toml, [tool.importlinter])."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    command = str(lint_imports) if lint_imports.exists() else shutil.which("lint-imports")
    assert command, "import-linter is not installed (requirements-dev.txt)"
    result = subprocess.run(
        [command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_upper_apps_register_their_parts_at_start_up() -> None:
    assert scoping._video_scopes[Role.REVIEWER] is reviewer_videos_q
    assert Role.EVALUATOR in scoping._video_scopes
    assert videos_with_question_counts in video_page_parts._list_annotations
    assert video_questions_context in video_page_parts._detail_contexts
    assert video_rows_latest_job in video_page_parts._rows_decorations
    assert question_draft_origin in review_page_parts._question_contexts
    assert question_disciplines in account_hooks._disciplines_in_use
    assert questions_release_of in account_hooks._work_releases


def test_registering_twice_adds_a_part_once() -> None:
    before = list(video_page_parts._list_annotations)
    video_page_parts.video_list_annotation_register(videos_with_question_counts)
    account_hooks.work_release_register(questions_release_of)
    assert video_page_parts._list_annotations == before
    assert account_hooks._work_releases.count(questions_release_of) == 1


@pytest.fixture
def question(benchmark: Any, write_items: Callable[..., Path]) -> Question:
    item = make_item(video_id="31", discipline="Bioengineering", video_duration=30.0)
    item["timestamp_breakdown"] = ["00:10-00:20: the pump starts"]
    item["question"] = "What happens between 00:10 and 00:20?"
    call_command("import_questions", str(write_items([item])))
    return Question.objects.get()


@pytest.mark.django_db
def test_a_reviewer_sees_the_video_of_a_question_in_their_field(question: Question) -> None:
    reviewer = User.objects.create_user("rae", password="x", role=Role.REVIEWER)
    reviewer.disciplines = ["Bioengineering"]
    reviewer.save()
    stranger = User.objects.create_user("sam", password="x", role=Role.REVIEWER)
    stranger.disciplines = ["Physics"]
    stranger.save()
    video = question.video
    assert video.discipline in ("", "Bioengineering")
    assert list(visible_videos(reviewer, Video.objects.all())) == [video]
    assert list(visible_videos(stranger, Video.objects.all())) == []


@pytest.mark.django_db
def test_the_video_pages_count_and_list_the_questions(question: Question, curator: Any) -> None:
    video = videos_with_question_counts(Video.objects.all()).get()
    assert (video.question_count, video.draft_count) == (1, 1)  # type: ignore[attr-defined]
    assert list(video_questions_context(curator, question.video)["questions"]) == [question]


@pytest.mark.django_db
def test_a_shorter_file_counts_the_questions_past_its_end(question: Question) -> None:
    video = question.video
    video.duration = 12.0
    assert questions_past_end_count(video) == 1
    video.duration = 19.5  # one second of slack for MM:SS times
    assert questions_past_end_count(video) == 0


@pytest.mark.django_db
def test_accounts_learn_the_disciplines_in_use_and_free_held_work(question: Question) -> None:
    assert "Bioengineering" in disciplines_in_use()
    holder = User.objects.create_user("hal", password="x", role=Role.REVIEWER)
    Question.objects.update(locked_by=holder, assigned_to=holder)
    released = work_release(holder)
    assert (released.holds, released.assignments) == (1, 1)
    assert Question.objects.filter(locked_by=None, assigned_to=None).count() == 1


@pytest.mark.django_db
def test_the_template_role_filter_is_the_role_check(curator: Any, reviewer: Any) -> None:
    template = Template(
        '{% load roles %}{% if user|has_role:"curator" %}C{% endif %}'
        '{% if user|has_role:"evaluator,reviewer" %}R{% endif %}'
    )
    assert template.render(Context({"user": curator})) == "C"
    assert template.render(Context({"user": reviewer})) == "R"
    superuser = User.objects.create_superuser("root", password="x")
    assert template.render(Context({"user": superuser})) == "C"
    assert superuser.is_curator


def test_one_vocabulary_of_letters_and_times() -> None:
    assert "".join(LETTERS) == "ABCDEFGHIJ"
    clock = re.compile(rf"^{CLOCK_TIME}$")
    assert all(clock.match(t) for t in ("2:22", "02:22", "1:02:03", "02:22.5"))
    assert not clock.match("1:2") and not clock.match("123:45")
    assert re.fullmatch(TIME_LIKE, "1:10") and re.fullmatch(TIME_LIKE, "100:2.5")
