"""Keep one decision per reviewer and question version (the latest) before the database
enforces it: repeated clicks and concurrent requests had stored the same decision twice."""

from django.db import migrations


def keep_latest(apps, schema_editor):
    Decision = apps.get_model("reviews", "Decision")
    seen: set[tuple[int, int, int]] = set()
    duplicates: list[int] = []
    rows = Decision.objects.order_by("-created_at", "-id").values_list(
        "id", "question_id", "reviewer_id", "question_version"
    )
    for pk, question, reviewer, version in rows.iterator(chunk_size=5000):
        key = (question, reviewer, version)
        if key in seen:
            duplicates.append(pk)
        else:
            seen.add(key)
    for start in range(0, len(duplicates), 5000):
        Decision.objects.filter(pk__in=duplicates[start : start + 5000]).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0011_question_judged_version")]

    # The removed rows were repeats of the kept ones: nothing to bring back.
    operations = [migrations.RunPython(keep_latest, migrations.RunPython.noop)]
