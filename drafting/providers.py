"""Talking to an LLM provider for structured JSON, through the official SDK.

Every call asks for JSON that matches a pydantic model and validates the reply. Transient
failures (5xx, 429, timeouts, dropped connections) are retried with exponential backoff,
honouring Retry-After; a reply that is not valid JSON for the schema is retried with the
validation error fed back, and after the last attempt the call fails with the reason.

Kept as one module (about 550 lines): the retry contract (`JsonProvider`) and its two SDK
adapters differ only in how a request is sent and a reply read, and are checked against each
other line by line; apart, each adapter would be a hundred lines that make no sense alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.conf import settings
from pydantic import BaseModel, ValidationError

from drafting.schemas import provider_schema

# The SDKs are imported where they are used: openai alone takes most of a second to import,
# which every page and management command would otherwise pay.
if TYPE_CHECKING:
    import openai


def preload_sdks() -> None:
    """Import the SDK of the configured provider (a second or so of work) ahead of use."""
    if settings.LLM_PROVIDER == "gemini":
        from google import genai  # noqa: F401
    else:
        import openai  # noqa: F401


Model = TypeVar("Model", bound=BaseModel)


class Limiter(Protocol):
    """Admits requests under a shared rate limit (see `drafting.ratelimit`)."""

    def acquire(self, tokens: int) -> None: ...

    def settle(self, reserved: int, used: int) -> None: ...


@dataclass(frozen=True)
class Media:
    """A picture or a video given to the model with the first user message.

    Either the bytes themselves (`data`, sent inline) or a provider file `uri` (Gemini's file
    upload). Records keep only the label, type, size and sha256, never the bytes.
    """

    label: str
    mime: str
    data: bytes = b""
    uri: str = ""

    def reference(self) -> dict[str, Any]:
        if self.uri:
            return {"label": self.label, "mime": self.mime, "uri": self.uri}
        return {
            "label": self.label,
            "mime": self.mime,
            "bytes": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
        }


@cache
def json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema a provider is held to for a reply model (drafting/schemas.py says which
    part of the model that is), built once per process."""
    return provider_schema(schema)


def estimate_tokens(text: str, media: Sequence[Media] = ()) -> int:
    """A rough count for rate limiting before the provider reports the real one."""
    # About four characters per token for English; a picture costs a few hundred tokens.
    return len(text) // 4 + 300 * len(media)


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


@dataclass
class TextResult:
    """A free-text reply (`JsonProvider.complete_text`)."""

    text: str
    refusal: str
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


@dataclass
class Sent:
    """What one request to a provider returned."""

    text: str
    refusal: str
    model: str
    prompt_tokens: int
    completion_tokens: int


class Transient(Exception):
    """A failure worth retrying, with the wait the provider asked for (if any)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Refused(Exception):
    """The provider rejected the request itself (4xx other than 429): retrying won't help."""

    # How the call's failure reason begins.
    reason = "the provider refused the request"


class JsonProvider:
    """The attempt loop shared by all providers: retries, validation feedback, records."""

    name = ""

    def __init__(
        self,
        *,
        model: str,
        max_attempts: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        limiter: Limiter | None = None,
    ) -> None:
        self.model = model
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.sleep = sleep
        self.limiter = limiter

    def for_call(self, key: str) -> JsonProvider:
        """The provider that makes the job's call `key`: itself, unless it answers by key
        (`drafting.recording.RecordedProvider`)."""
        return self

    def _send(
        self,
        messages: list[dict[str, str]],
        schema: type[BaseModel] | None,
        temperature: float,
        media: Sequence[Media],
    ) -> Sent:
        """Send one request; `schema` None asks for free text."""
        raise NotImplementedError

    def _limited_send(
        self,
        messages: list[dict[str, str]],
        schema: type[BaseModel] | None,
        temperature: float,
        media: Sequence[Media],
    ) -> Sent:
        if self.limiter is None:
            return self._send(messages, schema, temperature, media)
        reserved = estimate_tokens("".join(m["content"] for m in messages), media) + 1000
        self.limiter.acquire(reserved)
        used = reserved
        try:
            sent = self._send(messages, schema, temperature, media)
            used = sent.prompt_tokens + sent.completion_tokens or reserved
            return sent
        finally:
            self.limiter.settle(reserved, used)

    def complete_json(
        self,
        *,
        system: str,
        user: str,
        schema: type[Model],
        temperature: float = 0.7,
        media: Sequence[Media] = (),
    ) -> CallResult[Model]:
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        attempts: list[Attempt] = []
        started = time.perf_counter()
        for number in range(1, self.max_attempts + 1):
            request: dict[str, Any] = {
                "model": self.model,
                "messages": list(messages),
                "temperature": temperature,
            }
            if media:
                request["media"] = [item.reference() for item in media]
            attempt = Attempt(request=request)
            attempts.append(attempt)
            try:
                sent = self._limited_send(messages, schema, temperature, media)
            except Transient as exc:
                attempt.error = str(exc)
                if number == self.max_attempts:
                    break
                wait = exc.retry_after or self.backoff * 2 ** (number - 1)
                attempt.waited = wait
                self.sleep(wait)
                continue
            except Refused as exc:
                attempt.error = str(exc)
                raise CallFailed(f"{exc.reason}: {exc}", attempts) from exc
            attempt.response_text = sent.text
            try:
                if sent.refusal:
                    raise ValueError(f"the model refused: {sent.refusal}")
                value = schema.model_validate(json.loads(sent.text))
            except (json.JSONDecodeError, ValidationError, ValueError) as exc:
                problem = _describe(exc)
                attempt.error = problem
                if number == self.max_attempts:
                    break
                # Show the model its own reply and what is wrong with it.
                messages = [
                    *messages,
                    {"role": "assistant", "content": sent.text},
                    {
                        "role": "user",
                        "content": "Your reply was not valid for the schema: "
                        f"{problem}. Answer again with JSON only.",
                    },
                ]
                continue
            return CallResult(
                value=value,
                model=sent.model or self.model,
                prompt_tokens=sent.prompt_tokens,
                completion_tokens=sent.completion_tokens,
                latency=time.perf_counter() - started,
                attempts=attempts,
            )
        raise CallFailed(
            f"no valid reply after {len(attempts)} attempts: {attempts[-1].error}", attempts
        )

    def complete_text(
        self,
        *,
        messages: list[dict[str, str]],
        temperature: float = 0.0,
        media: Sequence[Media] = (),
    ) -> TextResult:
        """A free-text reply to `messages` as given (no system prompt is added), with the same
        retries, rate limit and records as `complete_json`. Any text is a reply: reading it is
        the caller's business; a refusal is kept beside it."""
        attempts: list[Attempt] = []
        started = time.perf_counter()
        for number in range(1, self.max_attempts + 1):
            request: dict[str, Any] = {
                "model": self.model,
                "messages": list(messages),
                "temperature": temperature,
            }
            if media:
                request["media"] = [item.reference() for item in media]
            attempt = Attempt(request=request)
            attempts.append(attempt)
            try:
                sent = self._limited_send(messages, None, temperature, media)
            except Transient as exc:
                attempt.error = str(exc)
                if number == self.max_attempts:
                    break
                wait = exc.retry_after or self.backoff * 2 ** (number - 1)
                attempt.waited = wait
                self.sleep(wait)
                continue
            except Refused as exc:
                attempt.error = str(exc)
                raise CallFailed(f"the provider refused the request: {exc}", attempts) from exc
            attempt.response_text = sent.text
            return TextResult(
                text=sent.text,
                refusal=sent.refusal,
                model=sent.model or self.model,
                prompt_tokens=sent.prompt_tokens,
                completion_tokens=sent.completion_tokens,
                latency=time.perf_counter() - started,
                attempts=attempts,
            )
        raise CallFailed(f"no reply after {len(attempts)} attempts: {attempts[-1].error}", attempts)


class OpenAIProvider(JsonProvider):
    """Any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama, LM Studio)."""

    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        timeout: float = 60.0,
        strict: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(model=model, **options)
        import openai

        self.strict = strict

        # The SDK's own retries are off: ours honour Retry-After, feed validation errors
        # back, and record every attempt.
        self.client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=0
        )

    def _send(
        self,
        messages: list[dict[str, str]],
        schema: type[BaseModel] | None,
        temperature: float,
        media: Sequence[Media],
    ) -> Sent:
        import openai

        transient = (
            openai.RateLimitError,
            openai.InternalServerError,
            openai.APITimeoutError,
            openai.APIConnectionError,
        )
        extra: dict[str, Any] = {}
        if schema is not None:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": schema.__name__,
                    "schema": json_schema(schema),
                    # Held to the schema, not only asked; servers that cannot enforce it
                    # still get every reply validated and a repair round (complete_json).
                    "strict": self.strict,
                },
            }
        try:
            # Plain dicts rather than the SDK's TypedDicts: the request is also recorded.
            completion = self.client.chat.completions.create(
                model=self.model,
                messages=_openai_messages(messages, media),  # type: ignore[arg-type]
                temperature=temperature,
                **extra,
            )
        except transient as exc:
            retry_after = _retry_after(exc) if isinstance(exc, openai.APIStatusError) else None
            raise Transient(f"{type(exc).__name__}: {exc}", retry_after) from exc
        except openai.APIStatusError as exc:
            raise Refused(f"{type(exc).__name__}: {exc}") from exc
        choice = completion.choices[0] if completion.choices else None
        usage = completion.usage
        return Sent(
            text=(choice.message.content or "") if choice else "",
            refusal=(getattr(choice.message, "refusal", None) or "") if choice else "",
            model=completion.model or self.model,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
        )


def _openai_messages(
    messages: list[dict[str, str]], media: Sequence[Media]
) -> list[dict[str, Any]]:
    """Chat messages with the pictures as labelled data-URL parts of the first user message."""
    result: list[dict[str, Any]] = [dict(m) for m in messages]
    if not media:
        return result
    first_user = next(i for i, m in enumerate(result) if m["role"] == "user")
    parts: list[dict[str, Any]] = [{"type": "text", "text": messages[first_user]["content"]}]
    for item in media:
        if not item.mime.startswith("image/") or not item.data:
            continue
        encoded = base64.b64encode(item.data).decode("ascii")
        parts.append({"type": "text", "text": item.label})
        parts.append(
            {"type": "image_url", "image_url": {"url": f"data:{item.mime};base64,{encoded}"}}
        )
    result[first_user] = {"role": "user", "content": parts}
    return result


class GeminiProvider(JsonProvider):
    """Google's Gemini API through the google-genai SDK."""

    name = "gemini"

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str = "",
        timeout: float = 60.0,
        **options: Any,
    ) -> None:
        from google import genai
        from google.genai import types

        super().__init__(model=model, **options)
        http_options = types.HttpOptions(
            base_url=base_url or None,
            timeout=int(timeout * 1000),
            # One attempt per call: the loop above does the retrying.
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        self.client = genai.Client(api_key=api_key or "unused", http_options=http_options)

    def upload_video(self, path: str, label: str) -> Media:
        """Upload a video through Gemini's file API; calls then refer to it by URI."""
        from google.genai import types

        uploaded = self.client.files.upload(
            file=path, config=types.UploadFileConfig(mime_type="video/mp4", display_name=label)
        )
        # The service processes a video before it can be used.
        deadline = time.monotonic() + 600
        while uploaded.state is not None and str(uploaded.state).endswith("PROCESSING"):
            if time.monotonic() > deadline:
                raise CallFailed(
                    f"the uploaded video {label} was still processing after 10 minutes", []
                )
            self.sleep(2.0)
            uploaded = self.client.files.get(name=uploaded.name or "")
        if uploaded.state is not None and str(uploaded.state).endswith("FAILED"):
            raise CallFailed(f"Gemini could not process the uploaded video {label}", [])
        return Media(label=label, mime=uploaded.mime_type or "video/mp4", uri=uploaded.uri or "")

    def _send(
        self,
        messages: list[dict[str, str]],
        schema: type[BaseModel] | None,
        temperature: float,
        media: Sequence[Media],
    ) -> Sent:
        import httpx2 as httpx
        from google.genai import errors, types

        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        contents = [
            types.Content(
                role="model" if m["role"] == "assistant" else "user",
                parts=[types.Part(text=m["content"])],
            )
            for m in messages
            if m["role"] != "system"
        ]
        if media:
            first = next(c for c in contents if c.role == "user")
            extra: list[types.Part] = []
            for item in media:
                extra.append(types.Part(text=item.label))
                if item.uri:
                    extra.append(types.Part.from_uri(file_uri=item.uri, mime_type=item.mime))
                else:
                    extra.append(types.Part.from_bytes(data=item.data, mime_type=item.mime))
            first.parts = [*(first.parts or []), *extra]
        config = (
            types.GenerateContentConfig(
                system_instruction=system or None,
                temperature=temperature,
                response_mime_type="application/json",
                response_json_schema=json_schema(schema),
            )
            if schema is not None
            else types.GenerateContentConfig(
                system_instruction=system or None, temperature=temperature
            )
        )
        try:
            response = self.client.models.generate_content(
                model=self.model, contents=contents, config=config
            )
        except errors.APIError as exc:
            if exc.code == 429 or exc.code >= 500:
                headers = getattr(getattr(exc, "response", None), "headers", None) or {}
                value = headers.get("retry-after")
                try:
                    retry_after = float(value) if value is not None else None
                except ValueError:
                    retry_after = None
                raise Transient(f"{type(exc).__name__} {exc.code}: {exc}", retry_after) from exc
            raise Refused(f"{type(exc).__name__} {exc.code}: {exc}") from exc
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        usage = response.usage_metadata
        refusal = ""
        candidate = response.candidates[0] if response.candidates else None
        finish = str(candidate.finish_reason) if candidate and candidate.finish_reason else ""
        if candidate is None or "SAFETY" in finish or "PROHIBITED" in finish:
            refusal = f"no answer (finish reason {finish or 'none'})"
        return Sent(
            text=response.text or "",
            refusal=refusal,
            model=response.model_version or self.model,
            prompt_tokens=(usage.prompt_token_count or 0) if usage else 0,
            completion_tokens=(usage.candidates_token_count or 0) if usage else 0,
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


def provider_problem() -> str:
    """Why drafting cannot run with this deployment's settings, naming what to set; "" if it can."""
    provider = settings.LLM_PROVIDER
    if provider not in {"openai", "gemini"}:
        return (
            f"LLM_PROVIDER={provider!r} is not known; set LLM_PROVIDER=openai (any "
            "OpenAI-compatible server) or LLM_PROVIDER=gemini"
        )
    needed = ("LLM_BASE_URL", "LLM_MODEL") if provider == "openai" else ("LLM_API_KEY", "LLM_MODEL")
    missing = [name for name in needed if not getattr(settings, name)]
    if missing:
        hint = " (and LLM_API_KEY if the server needs one)" if provider == "openai" else ""
        return f"no LLM provider is configured: set {' and '.join(missing)}{hint}"
    return ""


def provider_from_settings(
    *, model: str = "", limiter: Limiter | None = None, **options: Any
) -> JsonProvider:
    """The deployment's provider (with the model overridden if given); says exactly what to set
    when it is not configured.

    Without options, providers are kept per process and settings, so that each stage of each
    job reuses the SDK client and its connections instead of building them again.
    """
    problem = provider_problem()
    if problem:
        raise ProviderNotConfigured(problem)
    if options:
        return _new_provider(model, limiter, options)
    key = (
        settings.LLM_PROVIDER,
        settings.LLM_BASE_URL,
        settings.LLM_API_KEY,
        model or settings.LLM_MODEL,
        settings.LLM_TIMEOUT,
        settings.LLM_MAX_ATTEMPTS,
        settings.LLM_BACKOFF,
        settings.LLM_STRICT_SCHEMA,
    )
    provider = _providers.get(key)
    if provider is None:
        provider = _providers[key] = _new_provider(model, None, {})
    provider.limiter = limiter
    return provider


# Providers by their settings, for this process. Their state between calls is only the SDK
# client; the limiter is set on each use (stages run one at a time in a worker).
_providers: dict[tuple[Any, ...], JsonProvider] = {}


def _new_provider(model: str, limiter: Limiter | None, options: dict[str, Any]) -> JsonProvider:
    common: dict[str, Any] = {
        "model": model or settings.LLM_MODEL,
        "timeout": settings.LLM_TIMEOUT,
        "max_attempts": settings.LLM_MAX_ATTEMPTS,
        "backoff": settings.LLM_BACKOFF,
        "limiter": limiter,
        **options,
    }
    if settings.LLM_PROVIDER == "gemini":
        return GeminiProvider(
            api_key=settings.LLM_API_KEY, base_url=settings.LLM_BASE_URL, **common
        )
    return OpenAIProvider(
        base_url=settings.LLM_BASE_URL,
        api_key=settings.LLM_API_KEY,
        strict=settings.LLM_STRICT_SCHEMA,
        **common,
    )
