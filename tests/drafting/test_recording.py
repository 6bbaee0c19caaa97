"""Recorded drafting: a job answered by call key from a recording, through the real pipeline;
export_recording turns a live job's calls into a recording that replays to the same drafts."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from drafting.models import DraftJob, JobStatus, LLMCall
from drafting.pipeline import job_run_here
from drafting.providers import CallFailed
from drafting.recording import (
    RecordedProvider,
    RecordingInvalid,
    recording_from_job,
    recording_parse,
)
from drafting.schemas import ShortcutAnswer, VerifierAnswer
from drafting.services import DraftingInvalid, job_start_recorded
from reviews.models import Question, QuestionSource
from tests.drafting.fake_openai import FakeOpenAI, Reply
from tests.drafting.llm_script import ScriptedLLM
from tests.drafting.test_pipeline import run_job, start

pytestmark = pytest.mark.django_db

TYPES = {"Conceptual Reasoning": 1}


def recording(calls: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "format": "sciannot-drafting-recording",
        "version": 1,
        "video_id": "1001",
        "recorded_with": "openai",
        "model": "rec-model",
        "price": {"input": 2.0, "output": 8.0},
        "job": {"count": 1, "type_mix": TYPES, "temperature": 0.5},
        "calls": calls,
        **fields,
    }


def call(key: str, *replies: Any, tokens: tuple[int, int] = (1000, 100), ms: int = 900) -> Any:
    return {
        "key": key,
        "model": "rec-model-2025",
        "replies": list(replies),
        "prompt_tokens": tokens[0],
        "completion_tokens": tokens[1],
        "latency_ms": ms,
    }


def item(question: str = "What is the flask heated to between 00:10 and 00:15?") -> Any:
    options = {letter: f"{20 + 10 * n} degrees" for n, letter in enumerate("ABCDEFGHIJ")}
    return {
        "question": question,
        "options": options,
        "answer": "G",
        "question_type": "Conceptual Reasoning",
        "rationale": "At 00:10 the narration says the flask is heated to 80 degrees.",
        "evidence": [{"start": 10.0, "end": 15.0, "note": "The flask is heated to 80 degrees."}],
    }


def verdict(answer: str = "G", **extra: Any) -> Any:
    return {"json": {"answer": answer, "reasoning": "heard at 00:10", **extra}}


def whole_job(**replace: Any) -> list[Any]:
    calls = {
        "generate": call("generate", {"json": {"candidates": [item()]}}, tokens=(3000, 700)),
        "verify:0": call("verify:0", verdict()),
        "shortcut:0": call("shortcut:0", {"json": {"answer": "B"}}, tokens=(200, 20)),
        **replace,
    }
    return [c for c in calls.values() if c is not None]


# --- The provider -----------------------------------------------------------------------------


def test_it_answers_each_call_by_its_key_with_the_recorded_model_tokens_and_latency() -> None:
    provider = RecordedProvider(recording_parse(recording(whole_job())))
    result = provider.for_call("verify:0").complete_json(
        system="s", user="u", schema=VerifierAnswer
    )
    assert (result.value.answer, result.model) == ("G", "rec-model-2025")
    assert (result.prompt_tokens, result.completion_tokens, result.latency) == (1000, 100, 0.9)
    shortcut = provider.for_call("shortcut:0").complete_json(
        system="s", user="u", schema=ShortcutAnswer
    )
    assert shortcut.value.answer == "B" and shortcut.prompt_tokens == 200


def test_a_key_the_recording_lacks_fails_the_call_with_the_reason() -> None:
    provider = RecordedProvider(recording_parse(recording(whole_job())))
    with pytest.raises(CallFailed) as failed:
        provider.for_call("verify:7").complete_json(system="s", user="u", schema=VerifierAnswer)
    assert failed.value.reason == "no recorded reply: the recording has no call 'verify:7'"


def test_a_malformed_recorded_reply_goes_through_the_repair_loop() -> None:
    # As recorded: the first reply was not JSON, the model repaired it when told why.
    calls = whole_job(**{"verify:0": call("verify:0", {"text": "The answer is G."}, verdict())})
    provider = RecordedProvider(recording_parse(recording(calls)))
    result = provider.for_call("verify:0").complete_json(
        system="s", user="u", schema=VerifierAnswer
    )
    assert result.value.answer == "G" and result.retries == 1
    assert result.attempts[0].error.startswith("not JSON")
    repair = result.attempts[1].request["messages"][-1]["content"]
    assert repair.startswith("Your reply was not valid for the schema: not JSON")
    # Only the last reply counts its tokens, as a live call's do.
    assert result.prompt_tokens == 1000

    # A reply that never validates fails the call, as it did when recorded.
    bad = {"json": {"answer": "Z", "reasoning": "?"}}
    provider = RecordedProvider(
        recording_parse(recording(whole_job(**{"verify:0": call("verify:0", bad)})))
    )
    with pytest.raises(CallFailed) as failed:
        provider.for_call("verify:0").complete_json(system="s", user="u", schema=VerifierAnswer)
    assert failed.value.reason.startswith("no valid reply after 1 attempts: answer:")


def test_a_recorded_transient_error_is_retried_without_waiting() -> None:
    calls = whole_job(**{"verify:0": call("verify:0", {"error": "RateLimitError: 429"}, verdict())})
    provider = RecordedProvider(recording_parse(recording(calls)))
    result = provider.for_call("verify:0").complete_json(
        system="s", user="u", schema=VerifierAnswer
    )
    assert result.retries == 1 and result.attempts[0].error == "RateLimitError: 429"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "other"}, "not a drafting recording"),
        ({"job": {"count": 2, "type_mix": TYPES, "temperature": 0.5}}, "adds up to 1, not"),
        ({"job": {"count": 1, "type_mix": {"Guessing": 1}, "temperature": 0.5}}, "unknown type"),
        ({"price": {"input": "cheap", "output": 1}}, "price must be null or"),
        ({"calls": []}, "calls is empty"),
        ({"calls": [call("generate", {"json": {}}), call("generate", {"json": {}})]}, "twice"),
        ({"calls": [call("generate", "raw text")]}, 'a reply is {"text"'),
        ({"calls": [call("generate")]}, "replies must be a non-empty list"),
        ({"calls": [{**call("generate", {"json": {}}), "prompt_tokens": -1}]}, "prompt_tokens"),
        ({"extra": 1}, "unknown field extra"),
    ],
)
def test_a_malformed_recording_is_refused_saying_what_is_wrong(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(RecordingInvalid, match=message):
        recording_parse({**recording(whole_job()), **change})


# --- Whole jobs --------------------------------------------------------------------------------


def recorded_job(video: Any, calls: list[Any], **fields: Any) -> DraftJob:
    job = job_start_recorded(
        video=video, recording=recording(calls, **fields), user=None, send=False
    )
    return job_run_here(job.pk)


def test_a_recorded_job_runs_the_real_pipeline_on_the_video(
    settings: Any, draft_video: Any
) -> None:
    settings.LLM_PROVIDER = "openai"
    settings.LLM_BASE_URL = ""  # no provider configured: a recorded job needs none
    settings.LLM_PRICES = {}
    settings.LLM_FRAMES = 2
    settings.DRAFT_LEASE_SECONDS = 600
    job = recorded_job(draft_video, whole_job())

    assert (job.status, job.error, job.drafts_created) == (JobStatus.DONE, "", 1)
    assert (job.provider, job.model, job.count, job.temperature) == (
        "recorded",
        "rec-model",
        1,
        0.5,
    )
    assert list(job.stages.values_list("status", flat=True)) == ["done"] * 8
    calls = list(job.calls.order_by("pk"))
    assert [c.key for c in calls] == ["generate", "verify:0", "shortcut:0"]
    generator = calls[0]
    assert (generator.provider, generator.model, generator.status) == (
        "recorded",
        "rec-model-2025",
        "ok",
    )
    assert (generator.prompt_tokens, generator.completion_tokens, generator.latency_ms) == (
        3000,
        700,
        900,
    )
    # Priced with the recording's price, as LLM_PRICES has none: 3000 × $2/M + 700 × $8/M.
    assert str(generator.cost) == "0.011600"
    assert str(job.cost) == str(job.estimated_cost) == "0.014960"
    # The real prompt was rendered, and the real video's frames went with it.
    sent = generator.attempts[0]["request"]
    assert "The flask is heated to 80 degrees." in sent["messages"][1]["content"]
    assert [m["label"] for m in sent["media"]] == ["Frame at 00:05", "Frame at 00:15"]
    assert sent["media"][0]["bytes"] > 0
    # The grounding check ran on the real transcript; the draft is saved like any.
    [question] = Question.objects.filter(video=draft_video, source=QuestionSource.LLM)
    assert (question.answer, question.status, question.flags) == ("G", "draft", [])
    assert question.draft.record["checks"]["ground"]["spans"][0]["matched"]


def test_a_missing_key_fails_that_call_as_a_provider_error_would(
    settings: Any, draft_video: Any
) -> None:
    settings.DRAFT_LEASE_SECONDS = 600
    job = recorded_job(draft_video, whole_job(**{"shortcut:0": None}))
    # The candidate is dropped with the reason; nothing else became a draft, so the job fails.
    assert job.status == JobStatus.FAILED
    assert job.candidates[0]["failed"] == (
        "the shortcut check's call failed: no recorded reply: the recording has no call "
        "'shortcut:0'"
    )
    missing = job.calls.get(key="shortcut:0")
    assert (missing.status, missing.provider) == ("failed", "recorded")
    assert not Question.objects.filter(video=draft_video).exists()

    # Without the generator's reply the generator stage fails the job.
    Question.objects.all().delete()
    job = recorded_job(draft_video, whole_job(**{"generate": None}))
    assert job.status == JobStatus.FAILED
    assert job.error == "Generator: no recorded reply: the recording has no call 'generate'"


def test_a_malformed_generator_reply_is_repaired_and_flags_come_from_the_checks(
    settings: Any, draft_video: Any
) -> None:
    settings.DRAFT_LEASE_SECONDS = 600
    nine = item()
    del nine["options"]["J"]
    refined = item("Which temperature is the flask heated to between 00:10 and 00:15?")
    calls = whole_job(
        generate=call(
            "generate", {"json": {"candidates": [nine]}}, {"json": {"candidates": [item()]}}
        ),
        **{
            "verify:0": call("verify:0", verdict("C")),
            "refine:0": call("refine:0", {"json": refined}),
            "reverify:0": call("reverify:0", verdict()),
            "reshortcut:0": call("reshortcut:0", {"json": {"answer": "G"}}),
        },
    )
    job = recorded_job(draft_video, calls)
    assert job.status == JobStatus.DONE
    generator = job.calls.get(key="generate")
    assert generator.retries == 1
    assert "needs exactly ten options A–J; 9 given, missing J" in generator.attempts[0]["error"]
    [candidate] = job.candidates
    assert [f["kind"] for f in candidate["flags_before_refine"]] == ["verifier_disagrees"]
    [question] = Question.objects.filter(video=draft_video)
    assert question.text == refined["question"]
    assert [f["kind"] for f in question.flags] == ["answerable_without_video"]


def test_a_recording_of_another_video_or_malformed_starts_nothing(draft_video: Any) -> None:
    with pytest.raises(DraftingInvalid, match="made on video 2002, not 1001"):
        job_start_recorded(
            video=draft_video, recording=recording(whole_job(), video_id="2002"), user=None
        )
    with pytest.raises(DraftingInvalid, match="calls is empty"):
        job_start_recorded(video=draft_video, recording=recording([]), user=None)
    assert not DraftJob.objects.exists()


# --- Recording a live job and replaying it ----------------------------------------------------


def test_an_exported_job_replays_to_the_same_drafts_without_the_provider(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any, tmp_path: Path
) -> None:
    # A live job whose verifier disagrees once, so a refinement and re-checks are recorded.
    fake.script_for("VerifierAnswer", Reply(content=json.dumps({"answer": "A", "reasoning": "A"})))
    live = run_job(start(draft_video, count=3))
    assert live.status == JobStatus.DONE
    drafted = sorted(
        (
            q.text,
            q.answer,
            q.question_type,
            q.flags,
            q.timestamp_breakdown,
            sorted(q.options.values_list("letter", "text")),
        )
        for q in Question.objects.filter(video=draft_video)
    )
    live_calls = {
        c.key: (c.parsed, c.prompt_tokens, c.completion_tokens, c.model, c.retries)
        for c in live.calls.all()
    }
    assert "refine:0" in live_calls

    path = tmp_path / "recording.json"
    err = StringIO()
    call_command("export_recording", str(live.pk), str(path), stderr=err)
    assert f"Wrote the {len(live_calls)} calls of drafting job {live.pk}" in err.getvalue()
    written = json.loads(path.read_text())
    assert written["recorded_with"] == "openai" and written["model"] == "fake-model"
    assert written["price"] == {"input": 2.0, "output": 8.0}
    assert written == recording_from_job(live)

    # The same video without the live job's drafts, and no provider at all.
    Question.objects.filter(video=draft_video).delete()
    llm_settings.LLM_BASE_URL = ""
    sent_before = len(fake.requests)
    out = StringIO()
    call_command(
        "generate_drafts",
        "--video",
        "1001",
        "--recording",
        str(path),
        stdout=out,
        stderr=StringIO(),
    )
    replay = DraftJob.objects.exclude(pk=live.pk).get()
    assert f"Queued drafting job {replay.pk} for video 1001: 3 questions with fake-model" in (
        out.getvalue()
    )
    replay = job_run_here(replay.pk)

    assert (replay.status, replay.provider, replay.drafts_created) == (
        JobStatus.DONE,
        "recorded",
        3,
    )
    assert len(fake.requests) == sent_before
    replayed = sorted(
        (
            q.text,
            q.answer,
            q.question_type,
            q.flags,
            q.timestamp_breakdown,
            sorted(q.options.values_list("letter", "text")),
        )
        for q in Question.objects.filter(video=draft_video)
    )
    assert replayed == drafted
    assert {
        c.key: (c.parsed, c.prompt_tokens, c.completion_tokens, c.model, c.retries)
        for c in replay.calls.all()
    } == live_calls
    assert (replay.cost, replay.prompt_tokens, replay.calls_made) == (
        live.cost,
        live.prompt_tokens,
        live.calls_made,
    )


def test_export_and_replay_refuse_bad_input_and_change_nothing(
    llm_settings: Any, llm: ScriptedLLM, draft_video: Any, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="no drafting job 999"):
        call_command("export_recording", "999", str(tmp_path / "r.json"))
    job = start(draft_video, count=1)
    with pytest.raises(CommandError, match="is still queued: export it once it has ended"):
        call_command("export_recording", str(job.pk), str(tmp_path / "r.json"))
    run_job(job)
    existing = tmp_path / "r.json"
    existing.write_text("keep")
    with pytest.raises(CommandError, match="exists; pass --force"):
        call_command("export_recording", str(job.pk), str(existing))
    assert existing.read_text() == "keep"
    call_command("export_recording", str(job.pk), str(existing), "--force", stderr=StringIO())
    assert json.loads(existing.read_text())["calls"][0]["key"] == "generate"

    jobs = DraftJob.objects.count()
    with pytest.raises(CommandError, match="--count cannot be used with --recording"):
        call_command(
            "generate_drafts", "--video", "1001", "--recording", str(existing), "--count", "2"
        )
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(CommandError, match=r"broken\.json: not valid JSON"):
        call_command("generate_drafts", "--video", "1001", "--recording", str(broken))
    with pytest.raises(CommandError, match=r"missing\.json: no such file"):
        call_command(
            "generate_drafts", "--video", "1001", "--recording", str(tmp_path / "missing.json")
        )
    assert DraftJob.objects.count() == jobs
    assert LLMCall.objects.filter(provider="recorded").count() == 0
