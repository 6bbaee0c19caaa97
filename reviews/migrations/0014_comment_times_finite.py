"""Comment times stored as NaN or infinity (before times were checked) become untimed."""

import math

from django.db import migrations


def clear_non_finite_times(apps, schema_editor):
    Comment = apps.get_model("reviews", "Comment")
    # Read in Python: NaN compares unequal to everything in SQL filters on some databases.
    bad = [
        pk
        for pk, at in Comment.objects.exclude(at_seconds=None).values_list("pk", "at_seconds")
        if not math.isfinite(at) or at < 0
    ]
    Comment.objects.filter(pk__in=bad).update(at_seconds=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0013_decision_one_per_reviewer"),
    ]

    operations = [
        migrations.RunPython(clear_non_finite_times, migrations.RunPython.noop),
    ]
