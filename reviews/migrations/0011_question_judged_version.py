from django.db import migrations, models
from django.db.models import F


def judged_is_current(apps, schema_editor):
    # Until now every new version was a change of content.
    apps.get_model("reviews", "Question").objects.update(judged_version=F("version"))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0010_question_exemplar"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="judged_version",
            field=models.PositiveIntegerField(db_default=1, default=1),
        ),
        migrations.RunPython(judged_is_current, migrations.RunPython.noop),
    ]
