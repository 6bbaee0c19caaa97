"""Stored content hashes stay valid: the hash, the text key and the canonical JSON of an
item are pinned to the values the importer has always computed, so a faster importer cannot
quietly change them (a changed hash would make every re-import an update)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from reviews.services.item_format import validate_item
from tests.bench.bench_import import generate
from tests.factories import make_item

ITEMS = [
    make_item(),
    make_item(question="Why is the flask sealed at 03:05?", timestamp_breakdown=[]),
    make_item(
        video_id=" 7 ",
        question_id=12,
        question="Между 1:02:03.5 и 1:02:09 — «что» происходит? The 50:50 mixture at 00:41.",
        options=[f'{letter}. Вариант {letter} ✓ "quoted" \\ back\ttab' for letter in "ABCDEFGHIJ"],
        answer="(b)",
        question_type="quantitative reasoning",
        discipline="",
        category="medicine",
        subject="  Über subject  ",
        timestamp_breakdown=["- [00:41] the mixture", "note without a time", "at 1:10 the lid"],
        rationale="",
        video_duration=4000,
    ),
    make_item(
        question="From 1:10 to 1:50 the gel is run, diluted 1:10 first.",
        options={letter.lower(): f"  Opt {letter}  " for letter in "JIHGFEDCBA"},
        answer="J",
        discipline="Bioengineering",
        rationale=None,
        timestamp_breakdown=["01:10 – 01:50: gel run", "the end at 01:55.25"],
    ),
]

# (content hash, text key, first characters of the canonical JSON), computed by the
# importer before it was made faster.
PINNED = [
    (
        "98e21c42fdb28574d33fcc1d12a00a751fd91c8484085071db556094a1b8383c",
        "969afef6a6db672f2ee738d95438b416a75bff0b5b6896ec26f4b850390e9e8b",
        '{"answer":"D","category":"Chemistry","discipline":"Chemistry","options":{"A":"Option A',
    ),
    (
        "bbc709cf1f2865230e8c103d12cf7d4f2a0cf33eea003f530c243bc6df37b9b5",
        "40e2917e4b97d4aad6501693aaf1db36e0cc7b1df220262a1f5361828279246b",
        '{"answer":"D","category":"Chemistry","discipline":"Chemistry","options":{"A":"Option A',
    ),
    (
        "07183e1c60861f1d734f60c583e1001faa4331090a28ac4b24bcd940b8fc0355",
        "ce2af5f715619f85cee6b0f60e7485e69c61bf1313dded86eed7b915d21ed3b6",
        '{"answer":"B","category":"Medicine","discipline":"",'
        '"options":{"A":"Вариант A ✓ \\"quoted\\" \\\\ back\\ttab"',
    ),
    (
        "1adbbb7a9492a92521f95bbb74e1ffcf3d1a2f196c5334901d7f6bb875dde32b",
        "850365b551bcd07c9f38e1034fa6a5c450243edadbd6b74827b6761352943790",
        '{"answer":"J","category":"Biology","discipline":"Bioengineering",'
        '"options":{"A":"  Opt A  "',
    ),
]

# sha256 over the canonical JSON and text key of the first 300 items the import benchmark
# generates (40 videos).
PINNED_GENERATED = "cbc28035e7bea3f655ff3a566148aa95cbbca83519a89aac7925cc86b9401034"


@pytest.mark.parametrize(("raw", "pinned"), list(zip(ITEMS, PINNED, strict=True)))
def test_an_item_hashes_as_it_always_did(raw: dict[str, object], pinned: tuple[str, ...]) -> None:
    digest, key, json_head = pinned
    item = validate_item(raw, 1)

    assert item.content_hash() == digest
    assert item.text_key == key
    assert item.content_json().startswith(json_head)
    assert hashlib.sha256(item.content_json().encode()).hexdigest() == digest


def test_generated_benchmark_items_hash_as_they_always_did(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    generate(path, 300, 40)
    combined = hashlib.sha256()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        item = validate_item(json.loads(line), number)
        combined.update(item.content_json().encode())
        combined.update(item.text_key.encode())

    assert combined.hexdigest() == PINNED_GENERATED
