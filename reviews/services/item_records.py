"""Reading item files in the SciVideoBench format (a JSON array, an `{"items": [...]}` object,
or JSONL) into raw records with their line numbers; `reviews.services.item_format` validates
each one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sciannot.inputs import InputInvalid, json_precheck


@dataclass(frozen=True, slots=True)
class RawRecord:
    line: int
    value: Any = None
    error: str = ""
    # False when the record's JSON text had no `\\u0000`, so no value can hold a NUL (JSON
    # refuses a raw one inside a string).
    may_hold_nul: bool = True


def iter_records(path: Path) -> Iterator[RawRecord]:
    """Yield each item of a JSON array, `{"items": [...]}` object or JSONL file with its line.

    A JSONL line that is not valid JSON is yielded as an error and reading goes on, so that
    every broken line is reported at once; a broken JSON document stops at the first error.
    """
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith(b"["):
        yield from _iter_json_document(path)
        return
    if head.startswith(b"{"):
        # A JSONL whose first line is an object, or a whole-document export ({"items": ...}).
        first_line = _first_line(path)
        try:
            if _hostile_json(first_line):
                raise json.JSONDecodeError("refused", first_line, 0)
            json.loads(first_line)
        except json.JSONDecodeError:
            yield from _iter_json_document(path)
            return
    yield from _iter_jsonl(path)


def _first_line(path: Path) -> str:
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        for line in handle:
            if line.strip():
                return line
    return ""


def _iter_jsonl(path: Path) -> Iterator[RawRecord]:
    # Read bytes and decode each line: one line of bad UTF-8 is that line's error, not a
    # traceback half-way through the file.
    with path.open("rb") as handle:
        for line_number, raw_line in enumerate(handle, start=1):
            if line_number == 1:
                raw_line = raw_line.removeprefix(b"\xef\xbb\xbf")
            try:
                line = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield RawRecord(line_number, error=f"not UTF-8 text (byte {exc.start + 1})")
                continue
            if not line.strip():
                continue
            problem = _hostile_json(line)
            if problem:
                yield RawRecord(line_number, error=problem)
                continue
            try:
                yield RawRecord(line_number, json.loads(line), may_hold_nul="\\u0000" in line)
            except json.JSONDecodeError as exc:
                ending = "" if line.endswith("\n") else " (the line looks truncated)"
                yield RawRecord(
                    line_number, error=f"broken JSON: {exc.msg} at column {exc.colno}{ending}"
                )


def _hostile_json(text: str) -> str:
    """Why a JSON text is refused before parsing (too deep, numbers too long), or ""."""
    try:
        json_precheck(text)
    except InputInvalid as exc:
        return str(exc)
    return ""


def _iter_json_document(path: Path) -> Iterator[RawRecord]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        yield RawRecord(1, error="the file is not UTF-8 text")
        return
    problem = _hostile_json(text)
    if problem:
        yield RawRecord(1, error=problem)
        return
    decoder = json.JSONDecoder()
    try:
        document, _ = decoder.raw_decode(text, _skip_ws(text, 0))
    except json.JSONDecodeError as exc:
        yield RawRecord(exc.lineno, error=f"broken JSON: {exc.msg} at column {exc.colno}")
        return
    rest = text[_skip_ws(text, _end_of(decoder, text)) :]
    if rest.strip():
        yield RawRecord(
            text.count("\n", 0, len(text) - len(rest)) + 1,
            error="extra data after the JSON document",
        )
        return
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        items = document["items"]
        array_start = text.index("[", text.index('"items"'))
    elif isinstance(document, list):
        items = document
        array_start = text.index("[")
    else:
        yield RawRecord(1, error="expected a JSON array of items, or JSON Lines")
        return
    # Decode again item by item to learn the line each one starts on.
    position = _skip_ws(text, array_start + 1)
    for item in items:
        line = text.count("\n", 0, position) + 1
        _, end = decoder.raw_decode(text, position)
        yield RawRecord(line, item)
        position = _skip_ws(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip_ws(text, position + 1)


def _end_of(decoder: json.JSONDecoder, text: str) -> int:
    return decoder.raw_decode(text, _skip_ws(text, 0))[1]


def _skip_ws(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position
