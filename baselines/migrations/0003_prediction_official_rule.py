from django.db import migrations, models


class Migration(migrations.Migration):
    """The second scorer is the official SciVideoBench task's rule, not lmms-eval's generic
    first-capital rule: its letter and correctness move to `official_*` and whether the
    letter was a guess is kept. The values are recomputed in the next migration."""

    dependencies = [
        ("baselines", "0002_model_runs"),
    ]

    operations = [
        migrations.RenameField(
            model_name="prediction", old_name="lmms_letter", new_name="official_letter"
        ),
        migrations.RenameField(
            model_name="prediction", old_name="lmms_correct", new_name="official_correct"
        ),
        migrations.AddField(
            model_name="prediction",
            name="official_guessed",
            field=models.BooleanField(default=False),
        ),
    ]
