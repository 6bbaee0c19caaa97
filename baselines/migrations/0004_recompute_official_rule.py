"""Re-score every stored prediction by the official rule from its stored reply: the letter
it reads, or the guess seeded by the release and the item (the old guess was seeded by the
model's name, so the same replies scored differently under another name)."""

from __future__ import annotations

from typing import Any

import orjson
from django.db import migrations

from releases.harness.reply_reader import official_answer, release_key


def recompute(apps: Any, schema_editor: Any) -> None:
    ModelRun = apps.get_model("baselines", "ModelRun")
    Prediction = apps.get_model("baselines", "Prediction")
    ReleaseFile = apps.get_model("releases", "ReleaseFile")
    for run in ModelRun.objects.select_related("release").iterator():
        stored = ReleaseFile.objects.filter(
            release_id=run.release_id, split=run.split, format="jsonl"
        ).first()
        if stored is None:
            continue
        with stored.file.open("rb") as handle:
            keys = {item["uid"]: item["answer"] for item in map(orjson.loads, handle)}
        key = release_key(run.release.name, run.release.version)
        changed = []
        for prediction in Prediction.objects.filter(run=run, missing=False).select_related(
            "item"
        ):
            letter, guessed = official_answer(prediction.reply, release=key, uid=prediction.item.uid)
            prediction.official_letter = letter
            prediction.official_guessed = guessed
            prediction.official_correct = letter == keys.get(prediction.item.uid)
            changed.append(prediction)
        Prediction.objects.bulk_update(
            changed,
            ["official_letter", "official_guessed", "official_correct"],
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("baselines", "0003_prediction_official_rule"),
        ("releases", "0003_releaseitem_links_checked_by_statement"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
