"""Recorded drafting: a job answered from the replies a real run received, with no provider.

A recording keeps, for each call a job made (by its key: "generate", "verify:2",
"refine:1"…), what every attempt of it got back, with the tokens, latency and answering model
of the call. A job started from a recording (provider "recorded") runs the real pipeline on
the real video — context, frames, grounding checks and saving as usual — and each of its calls
is answered from the recording by its key, read through the same parsing, validation and
repair loop as a live reply (`JsonProvider.complete_json`). A call the recording lacks fails
as a provider error would. `manage.py export_recording` writes a job's calls as a recording.

    {
      "format": "sciannot-drafting-recording",
      "version": 1,
      "video_id": "demo-4",                      the video it was recorded on
      "recorded_with": "openai",                 the provider the calls went to
      "model": "gpt-4.1",                        the model the job asked for (prices the calls)
      "price": {"input": 2.0, "output": 8.0},    US dollars per million tokens then, or null
      "job": {"count": 3, "type_mix": {"Conceptual Reasoning": 1, ...}, "temperature": 0.7},
      "calls": [
        {"key": "generate", "model": "gpt-4.1-2025-04-14",
         "replies": [{"text": "<the raw reply>"}, {"json": {...}}, {"error": "RateLimitError"}],
         "prompt_tokens": 9120, "completion_tokens": 2050, "latency_ms": 31400}
      ]
    }

A reply is the raw text (`text`), a JSON value written as text when read (`json`, so a
recording written by hand stays readable), or a failed attempt (`error`, retried as a
transient failure was). The tokens are counted on the call's last reply, as a live call's are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from pydantic import BaseModel

from drafting.models import DraftJob, LLMCall
from drafting.pricing import Price, cost_of
from drafting.providers import CallResult, JsonProvider, Media, Refused, Sent, Transient
from reviews.models import QuestionType

FORMAT = "sciannot-drafting-recording"
VERSION = 1
RECORDED = "recorded"
Model = TypeVar("Model", bound=BaseModel)
MAX_KEY = 64


class RecordingInvalid(ValueError):
    """A recording that cannot be replayed; the message says where and why."""


class NotRecorded(Refused):
    """The recording has no reply for a call: the call fails, as a refused request does."""

    reason = "no recorded reply"


@dataclass(frozen=True)
class Reply:
    text: str = ""
    error: str = ""


@dataclass(frozen=True)
class RecordedCall:
    key: str
    model: str
    replies: tuple[Reply, ...]
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int


@dataclass(frozen=True)
class Recording:
    video_id: str
    recorded_with: str
    model: str
    price: Price | None
    count: int
    type_mix: dict[str, int]
    temperature: float
    calls: dict[str, RecordedCall] = field(default_factory=dict)

    def cost(self) -> Decimal | None:
        """What the recorded calls cost at the recording's price (None without one)."""
        total = None
        for call in self.calls.values():
            cost = cost_of(self.model, call.prompt_tokens, call.completion_tokens, self.price)
            if cost is not None:
                total = cost if total is None else total + cost
        return total


def _need(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise RecordingInvalid(f"{where}: {message}")


def _count(value: Any, where: str, name: str) -> int:
    _need(
        isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        where,
        f"{name} must be a whole number of at least 0, not {value!r}",
    )
    return int(value)


def _reply(raw: Any, where: str) -> Reply:
    _need(
        isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("text", "json", "error"),
        where,
        'a reply is {"text": "…"}, {"json": …} or {"error": "…"}',
    )
    kind, value = next(iter(raw.items()))
    if kind == "json":
        return Reply(text=json.dumps(value, ensure_ascii=False))
    _need(isinstance(value, str), where, f"{kind} must be text")
    if kind == "error":
        _need(bool(value.strip()), where, "an error reply needs its message")
        return Reply(error=value)
    return Reply(text=value)


def _call(raw: Any, where: str) -> RecordedCall:
    fields = {"key", "model", "replies", "prompt_tokens", "completion_tokens", "latency_ms"}
    _need(isinstance(raw, dict), where, "a call must be an object")
    _need(set(raw) == fields, where, f"a call has exactly the fields {', '.join(sorted(fields))}")
    key = raw["key"]
    _need(
        isinstance(key, str) and 0 < len(key) <= MAX_KEY,
        where,
        f"key must be text of 1 to {MAX_KEY} characters",
    )
    where = f"{where} ({key})"
    _need(isinstance(raw["model"], str) and bool(raw["model"].strip()), where, "model is empty")
    replies = raw["replies"]
    _need(isinstance(replies, list) and bool(replies), where, "replies must be a non-empty list")
    return RecordedCall(
        key=key,
        model=raw["model"],
        replies=tuple(_reply(r, f"{where} reply {n}") for n, r in enumerate(replies, start=1)),
        prompt_tokens=_count(raw["prompt_tokens"], where, "prompt_tokens"),
        completion_tokens=_count(raw["completion_tokens"], where, "completion_tokens"),
        latency_ms=_count(raw["latency_ms"], where, "latency_ms"),
    )


def _price(raw: Any, where: str) -> Price | None:
    if raw is None:
        return None
    _need(
        isinstance(raw, dict)
        and set(raw) == {"input", "output"}
        and all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in raw.values()
        ),
        where,
        'price must be null or {"input": dollars, "output": dollars} per million tokens',
    )
    return {"input": float(raw["input"]), "output": float(raw["output"])}


def recording_parse(data: Any, source: str = "the recording") -> Recording:
    """Check a recording's structure; RecordingInvalid names what is wrong and where."""
    fields = {"format", "version", "video_id", "recorded_with", "model", "price", "job", "calls"}
    _need(isinstance(data, dict), source, "expected a JSON object")
    _need(
        data.get("format") == FORMAT and data.get("version") == VERSION,
        source,
        f'not a drafting recording (expected "format": "{FORMAT}", "version": {VERSION})',
    )
    missing = sorted(fields - set(data))
    extra = sorted(set(data) - fields)
    _need(not missing, source, f"missing {', '.join(missing)}")
    _need(not extra, source, f"unknown field {', '.join(extra)}")
    for name in ("video_id", "recorded_with", "model"):
        _need(isinstance(data[name], str) and bool(data[name].strip()), source, f"{name} is empty")
    job = data["job"]
    _need(
        isinstance(job, dict) and set(job) == {"count", "type_mix", "temperature"},
        source,
        'job must be {"count": n, "type_mix": {type: n}, "temperature": t}',
    )
    count = _count(job["count"], source, "job.count")
    mix = job["type_mix"]
    _need(isinstance(mix, dict), source, "job.type_mix must be an object")
    for kind, number in mix.items():
        _need(kind in QuestionType.values, source, f"job.type_mix: unknown type {kind!r}")
        _count(number, source, f"job.type_mix[{kind!r}]")
    _need(
        sum(mix.values()) == count and count >= 1,
        source,
        f"job.type_mix adds up to {sum(mix.values())}, not job.count {count}",
    )
    temperature = job["temperature"]
    _need(
        isinstance(temperature, int | float)
        and not isinstance(temperature, bool)
        and 0 <= temperature <= 2,
        source,
        "job.temperature must be a number from 0 to 2",
    )
    _need(isinstance(data["calls"], list) and bool(data["calls"]), source, "calls is empty")
    calls: dict[str, RecordedCall] = {}
    for number, raw in enumerate(data["calls"], start=1):
        call = _call(raw, f"{source}: call {number}")
        _need(call.key not in calls, source, f"the call {call.key!r} appears twice")
        calls[call.key] = call
    return Recording(
        video_id=data["video_id"],
        recorded_with=data["recorded_with"],
        model=data["model"],
        price=_price(data["price"], source),
        count=count,
        type_mix={k: int(v) for k, v in mix.items() if v},
        temperature=float(temperature),
        calls=calls,
    )


def recording_load(path: Path) -> tuple[Recording, dict[str, Any]]:
    """The recording in a file, and its JSON as it is kept on the job."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RecordingInvalid(f"{path.name}: no such file") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordingInvalid(f"{path.name}: not valid JSON ({exc})") from exc
    return recording_parse(data, path.name), data


def recorded_price(job: DraftJob) -> Price | None:
    """The price a recorded job's model had when it was recorded."""
    if job.provider != RECORDED or not isinstance(job.recording, dict):
        return None
    price = job.recording.get("price")
    return price if isinstance(price, dict) else None


class RecordedProvider(JsonProvider):
    """Answers each call of a job from its recording, by the call's key."""

    name = RECORDED

    def __init__(
        self, recording: Recording, call: RecordedCall | None = None, key: str = ""
    ) -> None:
        # One attempt per recorded reply: the call is replayed as it went, never waiting.
        attempts = len(call.replies) if call is not None else 1
        super().__init__(
            model=recording.model, max_attempts=attempts, backoff=0.0, sleep=lambda _s: None
        )
        self.recording = recording
        self.call = call
        self.key = key
        self._next = 0

    def for_call(self, key: str) -> RecordedProvider:
        return RecordedProvider(self.recording, self.recording.calls.get(key), key)

    def _send(
        self,
        messages: list[dict[str, str]],
        schema: type[BaseModel] | None,
        temperature: float,
        media: Sequence[Media],
    ) -> Sent:
        if self.call is None:
            raise NotRecorded(
                f"the recording has no call {self.key!r}" if self.key else "no call was named"
            )
        if self._next >= len(self.call.replies):
            raise NotRecorded(f"the recording has no reply {self._next + 1} for {self.key!r}")
        reply = self.call.replies[self._next]
        self._next += 1
        if reply.error:
            raise Transient(reply.error)
        last = self._next == len(self.call.replies)
        return Sent(
            text=reply.text,
            refusal="",
            model=self.call.model,
            prompt_tokens=self.call.prompt_tokens if last else 0,
            completion_tokens=self.call.completion_tokens if last else 0,
        )

    def complete_json(
        self,
        *,
        system: str,
        user: str,
        schema: type[Model],
        temperature: float = 0.7,
        media: Sequence[Media] = (),
    ) -> CallResult[Model]:
        result = super().complete_json(
            system=system, user=user, schema=schema, temperature=temperature, media=media
        )
        # The latency the call took when it was recorded, not the replay's.
        if self.call is not None:
            result = replace(result, latency=self.call.latency_ms / 1000)
        return result


def provider_for_job(job: DraftJob) -> RecordedProvider:
    return RecordedProvider(recording_parse(job.recording, f"job {job.pk}'s recording"))


# --- Writing a job's calls as a recording -------------------------------------------------------


def _replies_of(call: LLMCall) -> list[dict[str, str]]:
    replies = []
    for attempt in call.attempts:
        text = attempt.get("response_text", "")
        if text:
            replies.append({"text": text})
        else:
            replies.append({"error": attempt.get("error") or "no reply"})
    return replies or [{"error": call.error or "no reply"}]


def recording_from_job(job: DraftJob) -> dict[str, Any]:
    """A job's calls as a recording: replaying it on the same video makes the same drafts."""
    calls = list(job.calls.order_by("pk"))
    if not calls:
        raise RecordingInvalid(
            f"drafting job {job.pk} made no calls, so there is nothing to record"
        )
    price = recorded_price(job)
    if price is None and job.model in settings.LLM_PRICES:
        price = dict(settings.LLM_PRICES[job.model])
    recorded_with = job.provider
    if job.provider == RECORDED and isinstance(job.recording, dict):
        recorded_with = job.recording.get("recorded_with") or job.provider
    return {
        "format": FORMAT,
        "version": VERSION,
        "video_id": job.video.video_id,
        "recorded_with": recorded_with,
        "model": job.model,
        "price": price,
        "job": {"count": job.count, "type_mix": job.type_mix, "temperature": job.temperature},
        "calls": [
            {
                "key": call.key,
                "model": call.model,
                "replies": _replies_of(call),
                "prompt_tokens": call.prompt_tokens,
                "completion_tokens": call.completion_tokens,
                "latency_ms": call.latency_ms,
            }
            for call in calls
        ],
    }
