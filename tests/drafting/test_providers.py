"""The provider client against a real local server speaking OpenAI's protocol, faults included."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from drafting.providers import (
    CallFailed,
    OpenAIProvider,
    ProviderNotConfigured,
    provider_from_settings,
)
from drafting.schemas import GeneratorOutput
from tests.drafting.fake_openai import FakeOpenAI, Reply


def candidate(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "question": "Why is the flask heated between 00:12 and 00:14?",
        "options": {letter: f"{n * 5} N" for n, letter in enumerate("ABCDEFGHIJ", start=1)},
        "answer": "C",
        "question_type": "Quantitative Reasoning",
        "rationale": "The narration at 00:12 gives 15 N.",
        "evidence": [{"start": 12, "end": 14, "note": "heating"}],
    }
    item.update(overrides)
    return item


def reply_with(*candidates: dict[str, Any]) -> Reply:
    return Reply(content=json.dumps({"candidates": list(candidates)}))


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def provider(fake: FakeOpenAI, waits: list[float]) -> OpenAIProvider:
    return OpenAIProvider(
        base_url=fake.url, api_key="test", model="fake-model", timeout=1.0, sleep=waits.append
    )


def generate(provider: OpenAIProvider) -> Any:
    return provider.complete_json(
        system="You write questions.", user="Context…", schema=GeneratorOutput
    )


def test_it_parses_a_valid_reply_and_records_tokens(
    provider: OpenAIProvider, fake: FakeOpenAI
) -> None:
    fake.script(reply_with(candidate()))
    result = generate(provider)
    assert result.value.candidates[0].options["C"] == "15 N"
    assert (result.prompt_tokens, result.completion_tokens, result.retries) == (120, 80, 0)
    sent = fake.requests[0]
    assert sent["model"] == "fake-model" and sent["_path"] == "/v1/chat/completions"
    assert sent["response_format"]["type"] == "json_schema"
    assert "candidates" in json.dumps(sent["response_format"]["json_schema"]["schema"])


def test_it_retries_a_server_error_with_backoff(
    provider: OpenAIProvider, fake: FakeOpenAI, waits: list[float]
) -> None:
    fake.script(Reply(status=500), Reply(status=503), reply_with(candidate()))
    result = generate(provider)
    assert result.retries == 2
    assert waits == [1.0, 2.0]


def test_it_honours_retry_after_on_429(
    provider: OpenAIProvider, fake: FakeOpenAI, waits: list[float]
) -> None:
    fake.script(Reply(status=429, retry_after=7), reply_with(candidate()))
    assert generate(provider).retries == 1
    assert waits == [7.0]


def test_it_retries_a_call_that_hangs_past_the_timeout(
    provider: OpenAIProvider, fake: FakeOpenAI
) -> None:
    fake.script(Reply(hang=2.0), reply_with(candidate()))
    result = generate(provider)
    assert result.retries == 1
    assert "Timeout" in result.attempts[0].error


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (Reply(content='{"candidates": [{"question": "truncated'), "not JSON"),
        (Reply(content="Sure! Here are your questions."), "not JSON"),
        (reply_with(candidate(options={k: f"o{k}" for k in "ABCDEFGHI"})), "missing J"),
        (reply_with(candidate(answer="K")), "answer"),
        (Reply(refusal="I can't help with that."), "the model refused"),
    ],
)
def test_it_feeds_an_invalid_reply_back_and_retries(
    provider: OpenAIProvider, fake: FakeOpenAI, bad: Reply, problem: str
) -> None:
    fake.script(bad, reply_with(candidate()))
    result = generate(provider)
    assert result.retries == 1
    assert problem in result.attempts[0].error
    follow_up = fake.requests[1]["messages"][-1]["content"]
    assert follow_up.startswith("Your reply was not valid for the schema:")
    assert problem in follow_up


def test_it_fails_with_the_reason_after_the_last_attempt(
    provider: OpenAIProvider, fake: FakeOpenAI
) -> None:
    nine = reply_with(candidate(options={k: f"o{k}" for k in "ABCDEFGHI"}))
    fake.script(nine, nine, nine)
    with pytest.raises(CallFailed) as failure:
        generate(provider)
    assert "no valid reply after 3 attempts" in failure.value.reason
    assert "missing J" in failure.value.reason
    assert len(failure.value.attempts) == 3 and len(fake.requests) == 3


def test_it_does_not_retry_a_request_the_provider_refuses(
    provider: OpenAIProvider, fake: FakeOpenAI
) -> None:
    fake.script(Reply(status=400), reply_with(candidate()))
    with pytest.raises(CallFailed, match="refused the request"):
        generate(provider)
    assert len(fake.requests) == 1


def test_it_says_which_variables_to_set(settings: Any) -> None:
    settings.LLM_PROVIDER = "openai"
    settings.LLM_BASE_URL = ""
    settings.LLM_MODEL = ""
    with pytest.raises(ProviderNotConfigured, match="set LLM_BASE_URL and LLM_MODEL"):
        provider_from_settings()
    settings.LLM_BASE_URL = "http://127.0.0.1:9/v1"
    settings.LLM_MODEL = "m"
    assert provider_from_settings().model == "m"


@pytest.fixture
def gemini(fake: FakeOpenAI, waits: list[float]) -> Any:
    from drafting.providers import GeminiProvider

    return GeminiProvider(
        api_key="test",
        model="gemini-test",
        base_url=fake.url.removesuffix("/v1"),
        timeout=1.0,
        sleep=waits.append,
    )


def test_gemini_gets_structured_json_through_generate_content(
    gemini: Any, fake: FakeOpenAI, waits: list[float]
) -> None:
    fake.script(
        Reply(status=429, retry_after=3),
        Reply(status=500),
        Reply(content='{"candidates": [nine options'),
        reply_with(candidate()),
    )
    gemini.max_attempts = 4
    result = generate(gemini)
    assert result.value.candidates[0].answer == "C"
    assert (result.model, result.prompt_tokens, result.completion_tokens) == ("gemini-test", 90, 60)
    assert waits == [3.0, 2.0]
    request = fake.requests[-1]
    assert request["_path"].endswith("/models/gemini-test:generateContent")
    assert request["generationConfig"]["responseMimeType"] == "application/json"
    assert "candidates" in json.dumps(request["generationConfig"]["responseJsonSchema"])
    assert request["systemInstruction"]["parts"][0]["text"] == "You write questions."
    # The broken reply went back to the model with what was wrong.
    assert request["contents"][-2]["role"] == "model"
    assert "not JSON" in request["contents"][-1]["parts"][0]["text"]


def test_gemini_blocked_answers_and_bad_requests_fail_clearly(
    gemini: Any, fake: FakeOpenAI
) -> None:
    fake.script(Reply(refusal="blocked"), Reply(refusal="blocked"), Reply(refusal="blocked"))
    with pytest.raises(CallFailed, match="the model refused: no answer"):
        generate(gemini)
    fake.script(Reply(status=400))
    with pytest.raises(CallFailed, match="refused the request"):
        generate(gemini)


def test_gemini_settings_need_a_key_and_a_model(settings: Any) -> None:
    settings.LLM_PROVIDER = "gemini"
    settings.LLM_API_KEY = ""
    settings.LLM_MODEL = "gemini-2.5-pro"
    with pytest.raises(ProviderNotConfigured, match="set LLM_API_KEY"):
        provider_from_settings()
    settings.LLM_API_KEY = "k"
    assert provider_from_settings().name == "gemini"


def test_gemini_gets_frames_inline_with_their_times(gemini: Any, fake: FakeOpenAI) -> None:
    from drafting.providers import Media

    fake.script(reply_with(candidate()))
    frames = [
        Media(label="Frame at 00:05", mime="image/jpeg", data=b"\xff\xd8jpeg-one"),
        Media(label="Frame at 00:15", mime="image/jpeg", data=b"\xff\xd8jpeg-two"),
    ]
    result = gemini.complete_json(system="s", user="Context…", schema=GeneratorOutput, media=frames)
    parts = fake.requests[-1]["contents"][0]["parts"]
    assert parts[0]["text"] == "Context…"
    assert parts[1]["text"] == "Frame at 00:05"
    inline = parts[2]["inlineData"]
    assert base64.urlsafe_b64decode(inline["data"]) == b"\xff\xd8jpeg-one"
    assert (inline.get("mimeType") or inline.get("mime_type")) == "image/jpeg"
    assert parts[3]["text"] == "Frame at 00:15"
    # The record names the pictures without their bytes.
    recorded = result.attempts[0].request["media"]
    assert recorded[1]["bytes"] == len(b"\xff\xd8jpeg-two") and "data" not in recorded[1]


def test_gemini_uploads_the_video_and_refers_to_it(
    gemini: Any, fake: FakeOpenAI, tmp_path: Any
) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"v" * 5000)
    media = gemini.upload_video(str(video), "video 1001")
    [upload] = fake.uploads
    assert upload["bytes"] == video.stat().st_size
    assert upload["meta"]["file"]["display_name"] == "video 1001"
    assert upload["headers"]["X-Goog-Upload-Header-Content-Type"] == "video/mp4"
    # It was still processing after the upload; the provider waited for it.
    assert upload["polls"] == 1
    assert media.uri.endswith("/files/video1")
    fake.script(reply_with(candidate()))
    gemini.complete_json(system="s", user="Context…", schema=GeneratorOutput, media=[media])
    parts = fake.requests[-1]["contents"][0]["parts"]
    file_data = parts[2]["fileData"]
    assert (file_data.get("fileUri") or file_data.get("file_uri")) == media.uri
    assert (file_data.get("mimeType") or file_data.get("mime_type")) == "video/mp4"


def test_openai_servers_are_asked_to_hold_replies_to_a_strict_schema(
    provider: OpenAIProvider, fake: FakeOpenAI
) -> None:
    fake.script(reply_with(candidate()))
    generate(provider)
    format_ = fake.requests[-1]["response_format"]["json_schema"]
    assert format_["strict"] is True and format_["name"] == "GeneratorOutput"
    options = format_["schema"]["$defs"]["CandidateQuestion"]["properties"]["options"]
    assert options["required"] == list("ABCDEFGHIJ")


def test_a_schema_a_strict_server_refuses_is_not_retried(
    provider: OpenAIProvider, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake refuses what OpenAI refuses: the plain model schema, sent as strict."""
    import drafting.providers

    monkeypatch.setattr(drafting.providers, "json_schema", lambda model: model.model_json_schema())
    fake.script(reply_with(candidate()))
    with pytest.raises(CallFailed, match="refused the request"):
        generate(provider)
    assert len(fake.requests) == 1


def test_strict_mode_can_be_turned_off_for_servers_that_refuse_it(
    settings: Any, fake: FakeOpenAI
) -> None:
    settings.LLM_PROVIDER = "openai"
    settings.LLM_BASE_URL = fake.url
    settings.LLM_MODEL = "local-model"
    settings.LLM_STRICT_SCHEMA = False
    fake.script(reply_with(candidate()))
    generate(provider_from_settings())  # type: ignore[arg-type]
    assert fake.requests[-1]["response_format"]["json_schema"]["strict"] is False
    settings.LLM_STRICT_SCHEMA = True
    fake.script(reply_with(candidate()))
    generate(provider_from_settings())  # type: ignore[arg-type]
    assert fake.requests[-1]["response_format"]["json_schema"]["strict"] is True


def test_gemini_gets_the_closed_schema(gemini: Any, fake: FakeOpenAI) -> None:
    fake.script(reply_with(candidate()))
    generate(gemini)
    schema = fake.requests[-1]["generationConfig"]["responseJsonSchema"]
    assert "propertyNames" not in json.dumps(schema)
    assert schema["additionalProperties"] is False
