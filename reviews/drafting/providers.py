"""Talking to an LLM provider for structured JSON, through the official SDK.

Every call asks for JSON that matches a pydantic model and validates the reply. Transient
failures (5xx, 429, timeouts, dropped connections) are retried with exponential backoff,
honouring Retry-After; a reply that is not valid JSON for the schema is retried with the
validation error fed back, and after the last attempt the call fails with the reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import openai
from django.conf import settings
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)

TRANSIENT = (
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APITimeoutError,
    openai.APIConnectionError,
)


class ProviderNotConfigured(RuntimeError):
    """No usable provider settings; the message says which variables to set."""


class CallFailed(RuntimeError):
    """A call that did not produce a valid reply after every attempt."""

    def __init__(self, reason: str, attempts: list[Attempt]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


@dataclass
class Attempt:
    """One request and what came of it, kept for the call's record."""

    request: dict[str, Any]
    response_text: str = ""
    error: str = ""
    waited: float = 0.0


@dataclass
class CallResult(Generic[Model]):
    value: Model
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency: float
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def retries(self) -> int:
        return len(self.attempts) - 1


def _retry_after(error: openai.APIStatusError) -> float | None:
    value = error.response.headers.get("retry-after") if error.response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class OpenAIProvider:
    """Any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama, LM Studio)."""

    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        timeout: float = 60.0,
        max_attempts: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # The SDK's own retries are off: ours honour Retry-After, feed validation errors
        # back, and record every attempt.
        self.client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=0
        )
        self.model = model
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.sleep = sleep

    def complete_json(
        self, *, system: str, user: str, schema: type[Model], temperature: float = 0.7
    ) -> CallResult[Model]:
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        response_format = {
            "type": "json_schema",
            "json_schema": {
                "name": schema.__name__,
                "schema": schema.model_json_schema(),
                "strict": False,
            },
        }
        attempts: list[Attempt] = []
        started = time.perf_counter()
        for number in range(1, self.max_attempts + 1):
            request = {"model": self.model, "messages": list(messages), "temperature": temperature}
            attempt = Attempt(request=request)
            attempts.append(attempt)
            try:
                # Plain dicts rather than the SDK's TypedDicts: the request is also recorded.
                completion = self.client.chat.completions.create(  # type: ignore[call-overload]
                    model=self.model,
                    messages=messages,
                    temperature=temperature,
                    response_format=response_format,
                )
            except TRANSIENT as exc:
                attempt.error = f"{type(exc).__name__}: {exc}"
                if number == self.max_attempts:
                    break
                wait = self.backoff * 2 ** (number - 1)
                if isinstance(exc, openai.APIStatusError):
                    wait = _retry_after(exc) or wait
                attempt.waited = wait
                self.sleep(wait)
                continue
            except openai.APIStatusError as exc:
                attempt.error = f"{type(exc).__name__}: {exc}"
                raise CallFailed(f"the provider refused the request: {exc}", attempts) from exc
            choice = completion.choices[0] if completion.choices else None
            text = (choice.message.content or "") if choice else ""
            attempt.response_text = text
            refusal = getattr(choice.message, "refusal", None) if choice else None
            try:
                if refusal:
                    raise ValueError(f"the model refused: {refusal}")
                value = schema.model_validate(json.loads(text))
            except (json.JSONDecodeError, ValidationError, ValueError) as exc:
                problem = _describe(exc)
                attempt.error = problem
                if number == self.max_attempts:
                    break
                # Show the model its own reply and what is wrong with it.
                messages = [
                    *messages,
                    {"role": "assistant", "content": text},
                    {
                        "role": "user",
                        "content": "Your reply was not valid for the schema: "
                        f"{problem}. Answer again with JSON only.",
                    },
                ]
                continue
            usage = completion.usage
            return CallResult(
                value=value,
                model=completion.model or self.model,
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                latency=time.perf_counter() - started,
                attempts=attempts,
            )
        raise CallFailed(
            f"no valid reply after {len(attempts)} attempts: {attempts[-1].error}", attempts
        )


def _describe(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'reply'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
    return str(exc)


def provider_from_settings() -> OpenAIProvider:
    """The deployment's provider; says exactly what to set when it is not configured."""
    provider = settings.LLM_PROVIDER
    if provider != "openai":
        raise ProviderNotConfigured(
            f"LLM_PROVIDER={provider!r} is not supported yet; set LLM_PROVIDER=openai "
            "(any OpenAI-compatible server)"
        )
    missing = [name for name in ("LLM_BASE_URL", "LLM_MODEL") if not getattr(settings, name)]
    if missing:
        raise ProviderNotConfigured(
            "no LLM provider is configured: set "
            + " and ".join(missing)
            + " (and LLM_API_KEY if the server needs one)"
        )
    return OpenAIProvider(
        base_url=settings.LLM_BASE_URL, api_key=settings.LLM_API_KEY, model=settings.LLM_MODEL
    )
