"""Transcript files (WebVTT, SRT, Whisper-style JSON) parsed into timed cues, and back to WebVTT.

Errors name the line (or, for JSON, the item) so the person who uploaded the file can fix it.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sciannot.inputs import text_limit

FORMATS = ("vtt", "srt", "json")


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float  # seconds
    text: str


class TranscriptError(ValueError):
    """Message names the line: 'line 12: ...'."""


# HH:MM:SS.mmm or MM:SS.mmm. Hours may have any number of digits; the fraction separator may be a
# comma in SRT (and, leniently, in WebVTT written by SRT tools), and some tools write fewer than
# three fraction digits.
_TIMESTAMP = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")
_ARROW = "-->"
_TAG = re.compile(r"<[^>]*>")
# SSA/ASS override blocks such as {\an8} that some SRT files carry.
_SSA_OVERRIDE = re.compile(r"\{\\[^}]*\}")
_SPACES = re.compile(r"\s+")


def _normalise_newlines(content: str) -> list[str]:
    content = content.removeprefix("\ufeff")
    return content.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _parse_timestamp(value: str) -> float | None:
    """Seconds (rounded to the millisecond) from a timestamp, or None when it is not one."""
    match = _TIMESTAMP.match(value.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    # "1.5" means 1.500 s: the digits are a decimal fraction, not a count of milliseconds.
    millis = int((fraction or "0").ljust(3, "0"))
    total_ms = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis
    return total_ms / 1000


def _format_timestamp(seconds: float) -> str:
    total_ms = round(seconds * 1000)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _clean_text(lines: Sequence[str], *, strip_ssa: bool = False) -> str:
    """Cue text as one line: tags removed, entities decoded, whitespace collapsed."""
    text = " ".join(line.strip() for line in lines)
    # Tags go before entities are decoded, so an escaped "&lt;b&gt;" stays visible text.
    text = _TAG.sub("", text)
    if strip_ssa:
        text = _SSA_OVERRIDE.sub("", text)
    text = html.unescape(text).replace("\u00a0", " ")
    # Direction marks are invisible; they should not end up in the prompts that quote cues.
    text = text.replace("\u200e", "").replace("\u200f", "")
    return _SPACES.sub(" ", text).strip()


@dataclass
class _Block:
    first_line: int  # 1-based number of the block's first line
    lines: list[str]


def _blocks(lines: list[str], first: int = 0) -> list[_Block]:
    """Runs of non-blank lines from index `first` on (blank = only whitespace)."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for index in range(first, len(lines)):
        line = lines[index]
        if line.strip():
            if current is None:
                current = _Block(index + 1, [])
                blocks.append(current)
            current.lines.append(line)
        else:
            current = None
    return blocks


def _parse_timing(line: str, number: int, fmt: str) -> tuple[float, float]:
    example = "00:00:01.000 --> 00:00:04.000" if fmt == "vtt" else "00:00:01,000 --> 00:00:04,000"
    left, arrow, right = line.partition(_ARROW)
    # Cue settings ("align:start position:10%" in WebVTT, "X1:… Y1:…" in SRT) follow the end.
    end_text = right.strip().split(maxsplit=1)[0] if right.strip() else ""
    start_text = left.strip()
    if not arrow:
        raise TranscriptError(f"line {number}: expected a timing line like '{example}'")
    if start_text.startswith("-") or end_text.startswith("-"):
        raise TranscriptError(f"line {number}: times cannot be negative: {line.strip()!r}")
    start = _parse_timestamp(start_text)
    end = _parse_timestamp(end_text)
    if start is None or end is None:
        raise TranscriptError(
            f"line {number}: malformed timing line {line.strip()!r}; expected '{example}'"
        )
    if end < start:
        raise TranscriptError(
            f"line {number}: the cue ends ({end_text}) before it starts ({start_text})"
        )
    return start, end


def _parse_vtt(content: str) -> list[Cue]:
    lines = _normalise_newlines(content)
    signature = lines[0] if lines else ""
    if not (signature == "WEBVTT" or signature.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise TranscriptError("line 1: a WebVTT file must start with 'WEBVTT'")
    # The header runs to the first blank line (it may carry metadata lines); cues follow.
    header, *blocks = _blocks(lines)
    for offset, line in enumerate(header.lines[1:], start=1):
        if _ARROW in line:
            # The blank line after the header is missing: read on from the timing line rather
            # than silently losing the first cue.
            blocks.insert(0, _Block(header.first_line + offset, header.lines[offset:]))
            break
    cues: list[Cue] = []
    for block in blocks:
        first = block.lines[0]
        keyword = first.split(maxsplit=1)[0]
        if keyword in {"NOTE", "STYLE", "REGION"} and _ARROW not in first:
            continue
        if _ARROW in first:
            timing_index = 0
        elif len(block.lines) > 1 and _ARROW in block.lines[1]:
            timing_index = 1  # the first line is a cue identifier
        else:
            raise TranscriptError(
                f"line {block.first_line}: expected a cue timing line like "
                f"'00:00:01.000 --> 00:00:04.000', found {first.strip()!r}"
            )
        start, end = _parse_timing(
            block.lines[timing_index], block.first_line + timing_index, "vtt"
        )
        text = _clean_text(block.lines[timing_index + 1 :])
        if text:
            cues.append(Cue(start, end, text))
    return cues


def _parse_srt(content: str) -> list[Cue]:
    lines = _normalise_newlines(content)
    cues: list[Cue] = []
    texts: list[list[str]] = []
    for block in _blocks(lines):
        first = block.lines[0].strip()
        if _ARROW in first:
            timing_index = 0  # the cue number is optional in practice
        elif first.isdigit():
            if len(block.lines) < 2 or _ARROW not in block.lines[1]:
                raise TranscriptError(
                    f"line {block.first_line + 1}: expected a timing line like "
                    f"'00:00:01,000 --> 00:00:04,000' after cue number {first}"
                )
            timing_index = 1
        elif cues or texts:
            # A blank line inside a cue's text splits it into two blocks; this is the rest.
            texts[-1].extend(block.lines)
            continue
        else:
            raise TranscriptError(
                f"line {block.first_line}: expected a cue number or a timing line like "
                f"'00:00:01,000 --> 00:00:04,000', found {first!r}"
            )
        start, end = _parse_timing(
            block.lines[timing_index], block.first_line + timing_index, "srt"
        )
        cues.append(Cue(start, end, ""))
        texts.append(block.lines[timing_index + 1 :])
    result = []
    for cue, text_lines in zip(cues, texts, strict=True):
        text = _clean_text(text_lines, strip_ssa=True)
        if text:
            result.append(Cue(cue.start, cue.end, text))
    return result


def _json_time(value: Any, where: str, key: str) -> float:
    if isinstance(value, bool) or value is None:
        raise TranscriptError(f"{where}: '{key}' must be seconds or 'MM:SS.mmm', not {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("-"):
            raise TranscriptError(f"{where}: '{key}' cannot be negative ({value!r})")
        parsed = _parse_timestamp(text)
        if parsed is None:
            try:
                parsed = float(text)
            except ValueError:
                raise TranscriptError(
                    f"{where}: '{key}' must be seconds or 'MM:SS.mmm', not {value!r}"
                ) from None
        seconds = parsed
    else:
        raise TranscriptError(f"{where}: '{key}' must be seconds or 'MM:SS.mmm', not {value!r}")
    if not math.isfinite(seconds):
        raise TranscriptError(f"{where}: '{key}' must be a finite number of seconds")
    if seconds < 0:
        raise TranscriptError(f"{where}: '{key}' cannot be negative ({value!r})")
    return round(seconds, 3)


def _parse_json(content: str) -> list[Cue]:
    try:
        data = json.loads(content.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"line {exc.lineno}: not valid JSON: {exc.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("segments"), list):
        items: list[Any] = data["segments"]  # the shape Whisper writes
        container = "segments"
    elif isinstance(data, list):
        items = data
        container = ""
    else:
        raise TranscriptError(
            'line 1: expected a list of {"start", "end", "text"} objects or an object '
            'with a "segments" list'
        )
    cues: list[Cue] = []
    for index, item in enumerate(items):
        # 1-based for people, with the index a program would use beside it.
        where = (
            f"item {index + 1} ({container}[{index}])"
            if container
            else (f"item {index + 1} ([{index}])")
        )
        if not isinstance(item, dict):
            raise TranscriptError(f"{where}: expected an object with start, end and text")
        for key in ("start", "end", "text"):
            if key not in item:
                raise TranscriptError(f"{where}: missing '{key}'")
        start = _json_time(item["start"], where, "start")
        end = _json_time(item["end"], where, "end")
        if end < start:
            raise TranscriptError(
                f"{where}: the cue ends ({end:g} s) before it starts ({start:g} s)"
            )
        text = item["text"]
        if not isinstance(text, str):
            raise TranscriptError(f"{where}: 'text' must be a string, not {type(text).__name__}")
        cleaned = _clean_text(text.splitlines())
        if cleaned:
            cues.append(Cue(start, end, cleaned))
    return cues


def parse_transcript(content: str, fmt: str) -> list[Cue]:
    """Cues from a transcript in `fmt` ("vtt", "srt" or "json"), sorted by start time.

    Cues without text are dropped. Raises TranscriptError naming the offending line or item.
    """
    parsers = {"vtt": _parse_vtt, "srt": _parse_srt, "json": _parse_json}
    if fmt not in parsers:
        raise ValueError(f"unknown transcript format {fmt!r}; expected one of {FORMATS}")
    cues = parsers[fmt](content)
    limit = text_limit("cue")
    for number, cue in enumerate(cues, start=1):
        if len(cue.text) > limit:
            raise TranscriptError(
                f"cue {number} (at {cue.start:.1f}s) is {len(cue.text):,} characters long; "
                f"the limit is {limit:,}"
            )
    # Stable: cues with the same start keep the file's order.
    return sorted(cues, key=lambda cue: cue.start)


_SRT_TIMING = re.compile(r"^\s*[\d:]+,\d{1,3}\s*-->")


def detect_format(filename: str, content: str) -> str:
    """ "vtt", "srt" or "json": by file extension, else by what the content looks like."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    text = content.removeprefix("\ufeff").lstrip()
    if text.startswith("WEBVTT"):
        return "vtt"
    if text.startswith(("[", "{")):
        return "json"
    lines = [line for line in _normalise_newlines(text) if line.strip()][:2]
    if len(lines) == 2 and lines[0].strip().isdigit() and _ARROW in lines[1]:
        return "srt"
    if lines and _SRT_TIMING.match(lines[0]):
        return "srt"
    raise TranscriptError(
        "line 1: cannot tell the transcript format; use a .vtt, .srt or .json file"
    )


def _escape(text: str) -> str:
    # "&", "<" and ">" are markup in WebVTT ("-->" inside text is then escaped too); line breaks
    # would end the cue, so a cue stays on one line.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPACES.sub(" ", escaped).strip()


def cues_to_vtt(cues: Sequence[Cue]) -> str:
    """A WebVTT file with the cues in order of start time."""
    parts = ["WEBVTT", ""]
    for cue in sorted(cues, key=lambda c: c.start):
        parts.append(f"{_format_timestamp(cue.start)} --> {_format_timestamp(cue.end)}")
        parts.append(_escape(cue.text))
        parts.append("")
    return "\n".join(parts)
