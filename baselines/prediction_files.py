"""Reading a predictions file: lmms-eval's `--log_samples` output (one sample per line, or the
older single document with a `logs` list) or simple `{"uid": …, "prediction": …}` lines, into
records, refusing a malformed file whole with the first bad line named."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from baselines.models import PredictionFormat


class PredictionsInvalid(ValueError):
    """A predictions file or request that cannot be imported; the message says why."""


@dataclass(frozen=True)
class Record:
    """One prediction as read from the file."""

    line: int
    reply: str
    raw: dict[str, Any]
    doc_id: int | None = None
    uid: str | None = None
    # Texts the released question should be found in (the logged doc's, or the prompt).
    doc_question: str | None = None
    prompt: str | None = None
    target: str | None = None


def _first_text(value: Any) -> str | None:
    """The first string in a (possibly nested) list: lmms-eval logs `resps` as [["reply"]]
    and `filtered_resps` as ["reply"]."""
    while isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else None


def _texts(value: Any, depth: int = 0) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple) and depth < 4:
        for part in value:
            yield from _texts(part, depth + 1)
    elif isinstance(value, dict) and depth < 4:
        for part in value.values():
            yield from _texts(part, depth + 1)


def _lmms_record(line: int, sample: dict[str, Any]) -> Record:
    doc_id = sample.get("doc_id")
    if isinstance(doc_id, str) and doc_id.isdigit():
        doc_id = int(doc_id)
    if not isinstance(doc_id, int) or isinstance(doc_id, bool) or doc_id < 0:
        raise PredictionsInvalid(f"line {line}: doc_id must be a whole number ≥ 0, not {doc_id!r}")
    reply = None
    for key in ("filtered_resps", "resps"):
        if key in sample:
            reply = _first_text(sample[key])
            if reply is not None:
                break
    if reply is None:
        raise PredictionsInvalid(f"line {line}: no reply (filtered_resps or resps) for {doc_id}")
    doc = sample.get("doc")
    doc_question = doc.get("question") if isinstance(doc, dict) else None
    prompt_parts = [*_texts(sample.get("input")), *_texts(sample.get("arguments"))]
    target = sample.get("target")
    # The stored record: everything but the logged doc (a copy of the release's own line).
    raw = {key: value for key, value in sample.items() if key != "doc"}
    return Record(
        line=line,
        reply=reply,
        raw=raw,
        doc_id=doc_id,
        doc_question=doc_question if isinstance(doc_question, str) else None,
        prompt="\n".join(prompt_parts) or None,
        target=target.strip() if isinstance(target, str) else None,
    )


def _uid_record(line: int, record: dict[str, Any]) -> Record:
    uid = record.get("uid")
    if not isinstance(uid, str) or not uid.strip():
        raise PredictionsInvalid(f"line {line}: uid must be a non-empty string")
    if "prediction" not in record:
        raise PredictionsInvalid(f"line {line}: no prediction for {uid}")
    prediction = record["prediction"]
    if prediction is None:
        prediction = ""
    if not isinstance(prediction, str):
        raise PredictionsInvalid(f"line {line}: prediction for {uid} must be a string")
    return Record(line=line, reply=prediction, raw=record, uid=uid.strip())


def _objects(handle: IO[bytes], digest: Any) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) for each record. JSON Lines are read one line at a time;
    a file that is one JSON document (lmms-eval's older `{"logs": [...]}`, or a list) is
    read whole."""
    first = handle.readline()
    digest.update(first)
    try:
        head = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PredictionsInvalid(f"line 1 is not UTF-8 text (byte {exc.start})") from exc
    try:
        parsed = orjson.loads(head) if head.strip() else None
    except orjson.JSONDecodeError:
        parsed = None
    if not (isinstance(parsed, dict) and ("doc_id" in parsed or "uid" in parsed)):
        rest = handle.read()
        digest.update(rest)
        body = (first + rest).removeprefix(b"\xef\xbb\xbf")
        try:
            whole = orjson.loads(body)
        except orjson.JSONDecodeError:
            whole = None
        if isinstance(whole, dict) and isinstance(whole.get("logs"), list):
            yield from enumerate(whole["logs"], start=1)
            return
        if isinstance(whole, list):
            yield from enumerate(whole, start=1)
            return
        if whole is not None and not isinstance(whole, dict):
            raise PredictionsInvalid("expected JSON Lines of objects, or lmms-eval's log")
        lines: Iterator[bytes] = iter(body.splitlines())
    else:
        lines = iter([head.encode("utf-8")])

        def remaining() -> Iterator[bytes]:
            for line in handle:
                digest.update(line)
                yield line

        lines = itertools.chain(lines, remaining())
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise PredictionsInvalid(f"line {number} is not valid JSON: {exc}") from exc


def read_predictions(handle: IO[bytes]) -> tuple[str, list[Record], str]:
    """The file's format, its records and its sha256, or PredictionsInvalid naming the first
    bad line."""
    digest = hashlib.sha256()
    kinds = set()
    records = []
    for number, obj in _objects(handle, digest):
        if not isinstance(obj, dict):
            raise PredictionsInvalid(f"line {number}: expected a JSON object")
        if "doc_id" in obj:
            kinds.add(PredictionFormat.LMMS_EVAL)
            records.append(_lmms_record(number, obj))
        elif "uid" in obj:
            kinds.add(PredictionFormat.UID)
            records.append(_uid_record(number, obj))
        else:
            raise PredictionsInvalid(
                f"line {number}: neither an lmms-eval sample (doc_id) nor a "
                '{"uid", "prediction"} line'
            )
        if len(kinds) > 1:
            raise PredictionsInvalid(
                f"line {number}: mixes lmms-eval samples and uid lines in one file"
            )
    if not records:
        raise PredictionsInvalid("the file holds no predictions")
    return kinds.pop(), records, digest.hexdigest()
