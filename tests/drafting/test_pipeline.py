"""The drafting pipeline run stage by stage in this process against the fake provider."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from drafting.models import Draft, DraftJob, JobStatus, LLMCall, StageStatus
from drafting.pipeline import run_stage
from drafting.providers import ProviderNotConfigured
from drafting.services import DraftingInvalid, JobRequest, job_cancel, jobs_start
from reviews.models import Question, QuestionSource, QuestionStatus
from tests.drafting.fake_openai import FakeOpenAI, Reply
from tests.drafting.llm_script import ScriptedLLM

pytestmark = pytest.mark.django_db


def start(video: Any, **request: Any) -> DraftJob:
    [job] = jobs_start(videos=[video], request=JobRequest(**request), user=None)
    return job


def run_job(job: DraftJob, *, limit: int = 20) -> DraftJob:
    """Run the job's stages in order, as workers would, until the job ends."""
    for _ in range(limit):
        job.refresh_from_db()
        if not job.is_active:
            return job
        stage = job.stages.exclude(status__in=["done", "skipped"]).order_by("order").first()
        assert stage is not None
        run_stage(stage.pk)
    raise AssertionError(f"job still {job.status} after {limit} stage runs")


def test_a_job_turns_a_video_into_checked_drafts(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    job = run_job(start(draft_video, count=3))

    assert (job.status, job.error, job.drafts_created) == (JobStatus.DONE, "", 3)
    assert list(job.stages.values_list("status", flat=True)) == ["done"] * 8
    drafts = Question.objects.filter(video=draft_video).order_by("question_id")
    assert [q.question_id for q in drafts] == ["1", "2", "3"]
    first = drafts[0]
    assert (first.status, first.source, first.flags) == (
        QuestionStatus.DRAFT,
        QuestionSource.LLM,
        [],
    )
    assert first.options.count() == 10
    assert first.answer == "D"
    assert first.options.get(letter="D").text == "The sample is set up."
    assert first.timestamp_breakdown == ["00:00-00:04: The sample is set up."]
    assert list(first.spans.values_list("start", "end")) == [(0.0, 4.0)]
    assert first.revisions.count() == 1
    # The three types, spread one each.
    assert sorted(q.question_type for q in drafts) == [
        "Conceptual Reasoning",
        "Hypothetical Reasoning",
        "Quantitative Reasoning",
    ]
    # One generator call, a verifier and a shortcut call per candidate; no refinement needed.
    assert [c.prompt_name for c in job.calls.order_by("pk")] == [
        "generator",
        "verifier",
        "verifier",
        "verifier",
        "shortcut",
        "shortcut",
        "shortcut",
    ]
    assert job.calls_made == 7
    # Provenance: each draft keeps its whole record.
    draft = Draft.objects.get(question=first)
    assert draft.record["checks"]["verify"]["answer"] == "D"
    assert draft.record["checks"]["ground"]["spans"][0]["matched"]


def test_every_call_is_on_record_with_its_prompt_tokens_and_cost(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    job = run_job(start(draft_video, count=1))
    generator = job.calls.get(key="generate")
    assert (generator.provider, generator.model, generator.prompt_name) == (
        "openai",
        "fake-model",
        "generator",
    )
    assert generator.prompt_version == "v1" and len(generator.prompt_hash) == 64
    assert (generator.prompt_tokens, generator.completion_tokens, generator.retries) == (120, 80, 0)
    # 120 input tokens at $2/M and 80 output at $8/M.
    assert generator.cost == Decimal("0.000880")
    assert job.cost == Decimal("0.000880") * 3
    assert (job.prompt_tokens, job.completion_tokens) == (360, 240)
    sent = generator.attempts[0]["request"]
    assert "The flask is heated to 80 degrees." in sent["messages"][1]["content"]
    # Frames went as pictures; the record keeps a reference, not the bytes.
    assert [m["label"] for m in sent["media"]] == ["Frame at 00:05", "Frame at 00:15"]
    assert sent["media"][0]["bytes"] > 0 and "data" not in sent["media"][0]
    wire = fake.requests_for("GeneratorOutput")[0]["messages"][1]["content"]
    assert [p["type"] for p in wire] == ["text", "text", "image_url", "text", "image_url"]
    assert wire[2]["image_url"]["url"].startswith("data:image/jpeg;base64,/9j/")
    assert json.loads(generator.response_text)["candidates"][0]["answer"] == "D"
    # The shortcut agent is not shown the video.
    assert "media" not in job.calls.get(key="shortcut:0").attempts[0]["request"]


def test_the_verifier_disagreeing_flags_the_draft_after_one_refinement(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    wrong = Reply(content=json.dumps({"answer": "A", "reasoning": "I saw A"}))
    # Wrong before the refinement and after it.
    fake.script_for("VerifierAnswer", wrong, wrong)
    job = run_job(start(draft_video, count=1))
    [question] = Question.objects.filter(video=draft_video)
    assert question.text.startswith("Which event does")
    assert [f["kind"] for f in question.flags] == ["verifier_disagrees"]
    assert "the verifier answered A, the key is D" in question.flags[0]["detail"]
    record = question.draft.record
    assert record["refined"] and record["original"]["question"].startswith("What does")
    assert [f["kind"] for f in record["flags_before_refine"]] == ["verifier_disagrees"]
    assert [c.key for c in job.calls.order_by("pk")] == [
        "generate",
        "verify:0",
        "shortcut:0",
        "refine:0",
        "reverify:0",
        "reshortcut:0",
    ]


def test_a_refinement_that_fixes_the_problem_clears_the_flag(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    # The shortcut agent gets the key from the text alone the first time only.
    fake.script_for("ShortcutAnswer", Reply(content=json.dumps({"answer": "D"})))
    run_job(start(draft_video, count=1))
    [question] = Question.objects.filter(video=draft_video)
    assert question.flags == []
    assert question.draft.record["flags_before_refine"][0]["kind"] == "answerable_without_video"


def test_answerable_without_the_video_is_flagged(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    key = Reply(content=json.dumps({"answer": "D"}))
    fake.script_for("ShortcutAnswer", key, key)
    run_job(start(draft_video, count=1))
    [question] = Question.objects.filter(video=draft_video)
    assert [f["kind"] for f in question.flags] == ["answerable_without_video"]


def test_an_ambiguity_argument_is_a_flag(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    ambiguous = Reply(
        content=json.dumps(
            {"answer": "D", "reasoning": "r", "also_defensible": ["G"], "argument": "G too"}
        )
    )
    fake.script_for("VerifierAnswer", ambiguous, ambiguous)
    run_job(start(draft_video, count=1))
    [question] = Question.objects.filter(video=draft_video)
    assert [f["kind"] for f in question.flags] == ["ambiguous"]
    assert "G could also be right: G too" in question.flags[0]["detail"]


def test_a_malformed_reply_is_retried_with_the_error_fed_back(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    fake.script_for("GeneratorOutput", Reply(content='{"candidates": [{"question": "Wh'))
    job = run_job(start(draft_video, count=1))
    assert job.drafts_created == 1
    call = job.calls.get(key="generate")
    assert call.retries == 1
    assert "not JSON" in call.attempts[0]["error"]
    feedback = fake.requests_for("GeneratorOutput")[1]["messages"][-1]["content"]
    assert feedback.startswith("Your reply was not valid for the schema: not JSON")


def test_a_question_with_nine_options_fails_alone(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    def nine_options_in_the_second(body: dict[str, Any]) -> Reply:
        items = llm.generated(body)
        del items[1]["options"]["J"]
        return Reply(content=json.dumps({"candidates": items}))

    fake.responders["GeneratorOutput"] = nine_options_in_the_second
    job = run_job(start(draft_video, count=3))
    assert (job.status, job.drafts_created) == (JobStatus.DONE, 2)
    failed = [c for c in job.candidates if c["failed"]]
    assert [c["index"] for c in failed] == [1]
    assert "options" in failed[0]["failed"] and "missing J" in failed[0]["failed"]
    assert job.calls.get(key="generate").retries == 2


def test_a_refusal_fails_the_job_with_the_reason(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    fake.script_for("GeneratorOutput", *[Reply(refusal="I can't help with that")] * 3)
    job = run_job(start(draft_video, count=2))
    assert job.status == JobStatus.FAILED
    assert "the model refused: I can't help with that" in job.error
    assert job.stages.get(name="generate").status == StageStatus.FAILED
    assert job.stages.get(name="save").status == StageStatus.CANCELLED
    assert not Question.objects.filter(video=draft_video).exists()


def test_server_errors_and_rate_limits_are_retried_honouring_retry_after(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    fake.script_for("GeneratorOutput", Reply(status=500), Reply(status=429, retry_after=0.3))
    job = run_job(start(draft_video, count=1))
    call = job.calls.get(key="generate")
    assert call.retries == 2
    assert call.attempts[1]["waited"] == 0.3
    assert job.drafts_created == 1


def test_a_hanging_verifier_times_out_and_fails_only_its_candidate(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    llm_settings.LLM_TIMEOUT = 0.5
    fake.script_for("VerifierAnswer", *[Reply(hang=1.0)] * 3)
    job = run_job(start(draft_video, count=2))
    assert job.drafts_created == 1
    [failed] = [c for c in job.candidates if c["failed"]]
    assert failed["failed"].startswith("the verifier's call failed: no valid reply after 3")
    assert "Timeout" in failed["failed"]


def test_the_call_budget_stops_the_job_cleanly(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    job = run_job(start(draft_video, count=2, max_calls=3))
    assert job.status == JobStatus.BUDGET
    assert job.calls_made == 3 and job.calls.count() == 3
    questions = Question.objects.filter(video=draft_video)
    assert questions.count() == 2
    for question in questions:
        kinds = [f["kind"] for f in question.flags]
        assert "unchecked" in kinds
    assert "budget is spent (3 of 3 calls)" in questions[1].flags[0]["detail"]


def test_the_cost_budget_stops_the_job(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    # Each call costs $0.00088: the budget is spent after two.
    job = run_job(start(draft_video, count=2, max_cost=Decimal("0.0015")))
    assert job.status == JobStatus.BUDGET
    assert job.calls.count() == 2


def test_a_cost_budget_needs_a_price(llm_settings: Any, draft_video: Any) -> None:
    llm_settings.LLM_PRICES = {}
    with pytest.raises(DraftingInvalid, match="no price is known for the model 'fake-model'"):
        start(draft_video, max_cost=Decimal("1"))
    assert not DraftJob.objects.exists()


def test_no_provider_says_what_to_set_and_queues_nothing(settings: Any, draft_video: Any) -> None:
    settings.LLM_PROVIDER = "openai"
    settings.LLM_BASE_URL = ""
    settings.LLM_MODEL = ""
    with pytest.raises(ProviderNotConfigured, match="set LLM_BASE_URL and LLM_MODEL"):
        start(draft_video)
    assert not DraftJob.objects.exists()


@pytest.mark.parametrize(
    ("request_args", "message"),
    [
        ({"count": 0}, "must be 1 to 20"),
        ({"count": 2, "type_mix": {"Conceptual Reasoning": 3}}, "adds up to 3 questions, not 2"),
        ({"type_mix": {"Trivia": 5}}, "unknown question type 'Trivia'"),
        ({"temperature": 3}, "between 0 and 2"),
    ],
)
def test_bad_requests_are_refused(
    llm_settings: Any, draft_video: Any, request_args: dict[str, Any], message: str
) -> None:
    with pytest.raises(DraftingInvalid, match=message):
        start(draft_video, **request_args)
    assert not DraftJob.objects.exists()


def test_a_video_without_a_category_is_refused(llm_settings: Any, draft_video: Any) -> None:
    draft_video.discipline = ""
    draft_video.category = ""
    draft_video.save()
    with pytest.raises(DraftingInvalid, match="video 1001 has no discipline or category"):
        start(draft_video)


def test_cancel_stops_before_the_next_stage(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    job = start(draft_video, count=1)
    run_stage(job.stages.get(name="context").pk)
    assert job_cancel(job)
    assert run_stage(job.stages.get(name="generate").pk) == "claimed-elsewhere"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and not fake.requests
    assert set(job.stages.exclude(name="context").values_list("status", flat=True)) == {"cancelled"}
    assert not job_cancel(job)


def test_a_finished_stage_never_runs_again_and_a_made_call_is_replayed(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    job = start(draft_video, count=2)
    run_stage(job.stages.get(name="context").pk)
    run_stage(job.stages.get(name="generate").pk)
    assert run_stage(job.stages.get(name="generate").pk) == "claimed-elsewhere"
    # The verifier made its first call, then its worker died: the stage is pending again.
    verify = job.stages.get(name="verify")
    LLMCall.objects.create(
        job=job,
        stage=verify,
        key="verify:0",
        provider="openai",
        model="fake-model",
        prompt_name="verifier",
        prompt_version="v1",
        prompt_hash="x",
        status="ok",
        parsed={"answer": "D", "reasoning": "from before", "also_defensible": [], "argument": ""},
    )
    before = len(fake.requests)
    run_stage(verify.pk)
    assert len(fake.requests) == before + 1  # only verify:1 went out
    job = run_job(job)
    assert job.drafts_created == 2
    assert Draft.objects.get(job=job, index=0).record["checks"]["verify"]["reasoning"] == (
        "from before"
    )


def test_saving_twice_creates_no_duplicates(
    llm_settings: Any, llm: ScriptedLLM, draft_video: Any
) -> None:
    job = run_job(start(draft_video, count=2))
    save = job.stages.get(name="save")
    # Even forced back to pending, the save stage finds its drafts made.
    save.status = StageStatus.PENDING
    save.save()
    job.status = JobStatus.RUNNING
    job.save()
    run_stage(save.pk)
    assert Question.objects.filter(video=draft_video).count() == 2
    assert Draft.objects.filter(job=job).count() == 2


def test_a_gemini_job_uploads_the_video_once_and_every_agent_sees_it(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    llm_settings.LLM_PROVIDER = "gemini"
    llm_settings.LLM_BASE_URL = fake.root
    llm_settings.LLM_MODEL = "gemini-test"
    llm_settings.LLM_GEMINI_UPLOAD_VIDEO = True
    job = run_job(start(draft_video, count=2))
    assert (job.status, job.drafts_created) == (JobStatus.DONE, 2)
    [upload] = fake.uploads
    assert upload["bytes"] == draft_video.size
    context = job.stages.get(name="context").output
    assert context["video_uri"].endswith("/files/video1") and context["frame_times"] == []
    for body in fake.requests_for("GeneratorOutput") + fake.requests_for("VerifierAnswer"):
        parts = body["contents"][0]["parts"]
        assert any("fileData" in part for part in parts)
    for body in fake.requests_for("ShortcutAnswer"):
        assert not any("fileData" in part for part in body["contents"][0]["parts"])
    assert (
        job.calls.get(key="generate").attempts[0]["request"]["media"][0]["uri"]
        == (context["video_uri"])
    )
