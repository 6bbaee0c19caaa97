"""A fixed release, frozen twice over, gives exactly the bytes recorded here.

The digests below were produced by the freeze before its speed-up and must never change
unless the export format changes on purpose: every stored file, every snapshot row, the
manifest, the changelog, the warnings and the files made from the snapshot. The items mix
what a byte-exact writer can get wrong: escapes (newlines, tabs, backslashes, quotes, U+2028),
characters beyond ASCII and beyond the BMP, colliding and odd question ids, spans edited by an
expert, stratified splits, and a second version with kept ids, changes, removals, additions
and items moved between splits.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from releases.artifacts import ARTIFACTS
from releases.models import Release
from reviews.models import EvidenceSpan, Question
from tests.factories import make_item

pytestmark = pytest.mark.django_db

LETTERS = "ABCDEFGHIJ"
VIDEOS = {"58827": 301.0, "1002": 95.5, "7": 1200.25, "300": 60.0, "31": 640.0}
ODD = [
    'a "quoted" line\nand a second one',
    "a tab\there and a backslash \\ too",
    "5 µL at 37 °C — «shown» 🧪",
    "a line separator\u2028and a paragraph separator\u2029end",
    "</script><!-- not markup -->",
    "carriage\r\nreturn",
    "",
]


def golden_items() -> list[dict[str, Any]]:
    items = []
    ids = ["1", "2", "10", "01", "2a", "3", "1", "b", "20", "4"]
    for n in range(40):
        video = list(VIDEOS)[n % len(VIDEOS)]
        odd = ODD[n % len(ODD)]
        start = 5 + (n * 7) % 50
        items.append(
            make_item(
                video_id=video,
                question_id=ids[n % len(ids)] if n % 9 else n,
                question=f"Q{n}: what happens between 00:{start:02d} and 00:{start + 4:02d}? {odd}",
                options={
                    letter: f"{n}{letter}: {ODD[(n + i) % len(ODD)]} {'long ' * (i % 3)}"
                    for i, letter in enumerate(LETTERS)
                },
                answer=LETTERS[(7 * n + 3) % 10],
                question_type=[
                    "Conceptual Reasoning",
                    "Quantitative Reasoning",
                    "Hypothetical Reasoning",
                ][n % 3],
                discipline=["Chemistry", "Biology", "Physics", "Medicine"][n % 4],
                subject=["Nanomaterials", "Genetics", "Optics ✓", ""][n % 4],
                video_duration=VIDEOS[video],
                timestamp_breakdown=[
                    f"00:{start:02d}-00:{start + 2:02d}: first {odd}",
                    f"00:{start + 2:02d}-00:{start + 4:02d}: then",
                ][: 1 + n % 2],
                rationale=f"Because {odd} ({n})." if n % 5 else "",
            )
        )
    return items


def _fix_uids(first: int = 0) -> None:
    """Stable uids (imports draw random ones), numbered in the order of the question texts."""
    for n, pk in enumerate(
        Question.objects.exclude(uid__regex=r"^q_0[0-9]{11}$")
        .order_by("text")
        .values_list("pk", flat=True)
    ):
        Question.objects.filter(pk=pk).update(uid=f"q_0{first + n:011d}")


def _import(write_items: Callable[..., Path], items: list[dict[str, Any]]) -> None:
    path = write_items(items)
    call_command("import_questions", str(path), "--status", "accepted", stdout=io.StringIO())


def _freeze(monkeypatch: pytest.MonkeyPatch, moment: datetime, *args: str) -> None:
    # The clock is the one thing outside the project a freeze reads: fixed, so the JSON
    # document's `created_at` and the manifest's are the same on every run.
    with monkeypatch.context() as patched:
        patched.setattr(timezone, "now", lambda: moment)
        call_command("freeze_release", *args, stdout=io.StringIO(), stderr=io.StringIO())


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def release_digests(release: Release) -> Iterator[tuple[str, str]]:
    for stored in release.files.order_by("split", "format"):
        with stored.file.open("rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == stored.sha256 and len(data) == stored.size
        yield f"{stored.split}.{stored.format}", stored.sha256
    rows = list(
        release.items.order_by("split", "position").values_list(
            "split",
            "position",
            "uid",
            "video_id",
            "question_id",
            "original_question_id",
            "offset",
            "length",
            "sha256",
        )
    )
    yield "items", _digest(rows)
    yield "manifest", _digest(release.manifest)
    yield "changelog", _digest(release.changelog)
    yield "warnings", _digest(release.warnings)
    for name, (_, make) in sorted(ARTIFACTS.items()):
        yield name, hashlib.sha256(make(release)).hexdigest()


GOLDEN: dict[str, dict[str, str]] = {
    "1.0.0": {
        "README.md": "569a3ddcfd1dd2b9ec0299788ffd95eaee44cef33a60a9fbe509a0572f01678e",
        "archive.zip": "bd9bea95d945f602b11074f2c07a1cbdfbcefe20d8bbb851cf0bc009e0afd322",
        "changelog": "865f2018282a1d7242908bcf6739007689919a764889208bda5c6359bc4d9883",
        "changelog.json": "2e20486d446662beb497ac385048ad6b48a27ac6014d2d15e955013407d21626",
        "changelog.md": "08ba12f207c40f54fb782e38b91f2cccafeb643ad4fbde3d6c187aad744c382c",
        "items": "be4eca580f647a7f0bec32b1ee83b4fc441085311652682cfb541794a5e8cbbc",
        "lmms-eval.zip": "96e6293ff0e8acbe170d24b3a0fe78a0f9031032657dc98c739143aedce42df0",
        "manifest": "4f3ce351771abba4678a695f4497d0593ba7de8326fa9712e0393aad0dc777f3",
        "manifest.json": "e36ca5b8c108ad2c004e2f9ef6c417e3b955be15bdcc6674a1e7b24c74a832f0",
        "manifest.md": "14145557a633751601f8a57da0deb09e4e5e5f7a9c6195214a454e60a2b88564",
        "test.json": "67040b12797008ca77dca4fbd406b8a837b0983b20a9acd15967711ffa5eb538",
        "test.jsonl": "18b44fc616e56637eb4b8f1d1ab57e7fd7ce70849c0e90567a4204da2db9dbf5",
        "val.json": "096910d23c9b5e379ec6f0efa299aa560a656246d47ac74d06c35a5ceb22671f",
        "val.jsonl": "5174440bb13e3690d82f182ed55430292e309dac84dbeb8135e4697cd4f9ba48",
        "warnings": "487b73bd7f6a507cf06de9d46bb4d2874f8a830974f30c6bb9417153b262732b",
    },
    "1.1.0": {
        "README.md": "449eac73801083e539cecbf243096f6b1d5d2f3094c8c6a1b7a1ea02428e02c8",
        "archive.zip": "1fcf1f0508577e375e6d5123184edc3d36b7b8805040fdcceb33a9b3ae2cc48a",
        "changelog": "050cd5de55445b72686a00e4146e8b0bfeea73c25f0b38047276c0ddb6dbb103",
        "changelog.json": "1882b74b5a4bc7e754831ae55a898ba44c45f36bd0f308a6988a58fe41a354ff",
        "changelog.md": "075d4b8ec6dd577692d060c2278e46ba1d0fc108680163ed8fa8b80dbb2eed60",
        "items": "d76597083f8e0578b7321c129bef0d780838ee44b0341345de671cd46edae715",
        "lmms-eval.zip": "9f1bc83686e6e9c8b4d3c3af51c5d4ea1af6b6e2fddfdacc1283429075fd6487",
        "manifest": "2b290737b31915364088d882d6f445c8635e5f8692e174df4c86a584ad98d4cd",
        "manifest.json": "35a46545338f8f07037dbd242e2c54d4d77a092273c536db1853690f97901543",
        "manifest.md": "589cbb54aaae403885272c8d8e2d708310acf461c9b93df71a6eaffb4c532623",
        "test.json": "1e57c11d8c0f3a1455254e5f03a6820c33efa05099852c41c150eb60dc1e0276",
        "test.jsonl": "051c3f33cb76694954e440fe8277f7c1818d9ecfa02b9dc69f46c0ddf928d59d",
        "val.json": "41924ef0e1bed85ab70504120fd421e946290d3845338750f81777b835323f81",
        "val.jsonl": "e6413a408b60ae3fdee0ce3df7afc47ce9989e23ea8cd54ea52df30534f74ba9",
        "warnings": "f69fd5a9ab3ec4f02d34b54a8147c6a7d943a4a1936fbe26b22eb5cf5924e4a0",
    },
}


def test_a_fixed_release_is_frozen_to_the_recorded_bytes(
    write_items: Callable[..., Path], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = golden_items()
    _import(write_items, items)
    _fix_uids()
    # An expert's edited spans: the breakdown is rendered from them, notes and all.
    for n, question in enumerate(Question.objects.order_by("uid")[:4]):
        question.spans.all().delete()
        EvidenceSpan.objects.create(
            question=question, start=1.5 + n, end=4.25 + n, note=ODD[n], order=0, origin="expert"
        )
        EvidenceSpan.objects.create(
            question=question, start=6, end=9.125, note="", order=1, origin="expert"
        )
        Question.objects.filter(pk=question.pk).update(spans_edited=True)
    stratify = ["--stratify", "test=0.7,val=0.3"]
    _freeze(
        monkeypatch,
        datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC),
        "gold",
        "--version",
        "1.0.0",
        *stratify,
        "--seed",
        "7",
    )
    # The next version: one item reworded, one rejected, one renumbered at the source, two
    # added, a new seed that moves items between splits, and the gate in a second process.
    questions = list(Question.objects.order_by("uid"))
    Question.objects.filter(pk=questions[5].pk).update(rationale="A better rationale.\n")
    Question.objects.filter(pk=questions[6].pk).update(status="rejected")
    Question.objects.filter(pk=questions[7].pk).update(question_id="99")
    questions[8].options.filter(letter="B").update(text="a changed option ✓")
    _import(
        write_items,
        [make_item(video_id="7", question_id="1", question=f"New {n}?") for n in range(2)],
    )
    _fix_uids(first=100)
    settings.RELEASE_GATE_PROCESS_ITEMS = 1
    _freeze(
        monkeypatch,
        datetime(2026, 12, 3, 8, 30, 15, tzinfo=UTC),
        "gold",
        "--version",
        "1.1.0",
        *stratify,
        "--seed",
        "8",
    )
    found = {
        release.version: dict(release_digests(release))
        for release in Release.objects.filter(name="gold")
    }
    assert found["1.1.0"]["changelog"] != found["1.0.0"]["changelog"]
    assert found == GOLDEN
