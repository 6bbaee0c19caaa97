"""The dataset card of the next freeze summarises the item analysis of the previous version:
its respondents, KR-20, flag counts and key-length bias per split; no section without a
previous version or without answers."""

from __future__ import annotations

import io
import json
import statistics
from pathlib import Path

import pytest
from django.core.management import call_command

from baselines.item_analysis import FLAGS
from releases.artifacts import dataset_card
from releases.models import Release
from tests.baselines.conftest import SECRET_KEYS, planted_answers, seed_analysis
from tests.releases.conftest import freeze

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "## Item analysis of the previous version"


def card(release: Release) -> str:
    return dataset_card(release).decode()


def hand_kr20() -> str:
    """KR-20 of the six evaluators' planted answers, worked out here."""
    rows = [
        [letter == key for letter, key in zip(letters, SECRET_KEYS, strict=True)]
        for letters in planted_answers().values()
    ]
    k = len(SECRET_KEYS)
    pq = sum((p := sum(r[j] for r in rows) / len(rows)) * (1 - p) for j in range(k))
    value = k / (k - 1) * (1 - pq / statistics.pvariance([sum(r) for r in rows]))
    return f"{round(value, 4):.4f}".rstrip("0").rstrip(".")


def test_the_next_card_summarises_the_previous_versions_answers(
    release: Release, tmp_path: Path
) -> None:
    assert TITLE not in card(release)  # no previous version
    seed_analysis(release, tmp_path)
    out = io.StringIO()
    call_command(
        "item_analysis", "--release", "svb", "--version", "1.0.0", "--format", "json", stdout=out
    )
    flagged = dict.fromkeys(FLAGS, 0)
    for row in json.loads(out.getvalue())["items"]:
        for name in row["flags"]:
            flagged[name] += 1
    assert flagged["possible_wrong_key"] == 1  # the planted key

    freeze("svb", "--version", "1.1.0")
    second = Release.objects.get(version="1.1.0")
    text = card(second)
    assert TITLE in text
    section = text[text.index(TITLE) :].split("\n## ")[0]
    assert "svb 1.0.0" in section
    # Six evaluators, three runs; KR-20 of the humans as worked out here, none for three runs;
    # every option of these items is as long as the others, so the key is always among them.
    row = (
        f"| `test` | 6 | 3 | {hand_kr20()} | – | "
        + " | ".join(str(flagged[name]) for name in FLAGS)
        + " | 12 of 12 (chance 12) |"
    )
    assert row in section.splitlines()
    # Written once, at the freeze, and kept with the release.
    assert second.card_sections.strip() == section.strip()


def test_no_section_without_answers(release: Release) -> None:
    freeze("svb", "--version", "1.1.0")
    second = Release.objects.get(version="1.1.0")
    assert second.previous == release
    assert TITLE not in card(second)
    assert second.card_sections == ""
