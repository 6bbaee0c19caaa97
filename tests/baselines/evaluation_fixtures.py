"""What the evaluation tests share: a scripted model behind the fake provider that answers
the exported task's prompts, the provider settings for the test process and for workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from releases.export import release_file
from releases.harness_tasks import task_prompt
from releases.models import Release
from sciannot.vocabulary import LETTERS
from tests.drafting.fake_openai import FakeOpenAI, Reply, prompt_text


def split_docs(release: Release, split: str = "test") -> list[dict[str, Any]]:
    stored = release_file(release, split, "jsonl")
    assert stored is not None
    with stored.file.open("rb") as handle:
        return [orjson.loads(line) for line in handle]


def wrong_letter(key: str) -> str:
    return LETTERS[(LETTERS.index(key) + 1) % len(LETTERS)]


class ScriptedModel:
    """Answers each item from the prompt it is sent: `answer(position, doc)` gives the reply
    text. It finds the item by the exported task's prompt for it, so a prompt that is not the
    exported one byte for byte gets a 400."""

    def __init__(
        self,
        fake: FakeOpenAI,
        docs: list[dict[str, Any]],
        answer: Callable[[int, dict[str, Any]], str],
        *,
        cot: bool = False,
    ) -> None:
        self.docs = docs
        self.answer = answer
        self.prompts = {task_prompt(doc, cot=cot): n for n, doc in enumerate(docs)}
        self.asked: list[int] = []
        fake.responders[""] = self.reply

    def position(self, body: dict[str, Any]) -> int | None:
        texts: list[str] = []
        for message in body.get("messages", []):
            content = message.get("content")
            texts += (
                [content]
                if isinstance(content, str)
                else [p.get("text", "") for p in content or [] if p.get("type") == "text"]
            )
        # Gemini's generateContent: the text parts of each content.
        for content in body.get("contents", []):
            texts += [p["text"] for p in content.get("parts", []) if "text" in p]
        for text in texts:
            if text in self.prompts:
                return self.prompts[text]
        return None

    def reply(self, body: dict[str, Any]) -> Reply:
        position = self.position(body)
        if position is None:
            return Reply(status=400, content=prompt_text(body)[:200])
        self.asked.append(position)
        return Reply(content=self.answer(position, self.docs[position]))


def provider_env(fake: FakeOpenAI, **extra: str) -> dict[str, str]:
    return {
        "LLM_PROVIDER": "openai",
        "LLM_BASE_URL": fake.url,
        "LLM_API_KEY": "test-key",
        "LLM_MODEL": "fake-model",
        "LLM_BACKOFF": "0.01",
        "LLM_TIMEOUT": "1",
        "LLM_MAX_ATTEMPTS": "4",
        "LLM_FRAMES": "2",
        "LLM_PRICES": '{"fake-model": {"input": 2.0, "output": 8.0}}',
        "EVAL_BATCH_SIZE": "4",
        "EVAL_TASKS": "2",
        **extra,
    }


def gemini_env(fake: FakeOpenAI, **extra: str) -> dict[str, str]:
    """A worker's settings for Gemini's API, served by the fake at its root."""
    return provider_env(
        fake,
        LLM_PROVIDER="gemini",
        LLM_BASE_URL=fake.root,
        LLM_MODEL="gemini-test",
        LLM_PRICES='{"gemini-test": {"input": 2.0, "output": 8.0}}',
        **extra,
    )


def use_gemini(settings: Any, fake: FakeOpenAI) -> None:
    use_provider(settings, fake)
    settings.LLM_PROVIDER = "gemini"
    settings.LLM_BASE_URL = fake.root
    settings.LLM_MODEL = "gemini-test"
    settings.LLM_PRICES = {"gemini-test": {"input": 2.0, "output": 8.0}}


def use_provider(settings: Any, fake: FakeOpenAI) -> None:
    settings.LLM_PROVIDER = "openai"
    settings.LLM_BASE_URL = fake.url
    settings.LLM_API_KEY = "test-key"
    settings.LLM_MODEL = "fake-model"
    settings.LLM_TIMEOUT = 1.0
    settings.LLM_BACKOFF = 0.01
    settings.LLM_MAX_ATTEMPTS = 4
    settings.LLM_FRAMES = 2
    settings.LLM_PRICES = {"fake-model": {"input": 2.0, "output": 8.0}}
    settings.EVAL_BATCH_SIZE = 4
    settings.EVAL_TASKS = 2
