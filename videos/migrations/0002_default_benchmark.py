"""Create the default benchmark, so single-benchmark users never meet the concept."""

from django.conf import settings
from django.db import migrations


def create_default(apps, schema_editor):
    Benchmark = apps.get_model("videos", "Benchmark")
    Benchmark.objects.get_or_create(
        name=settings.SCIANNOT_DEFAULT_BENCHMARK, defaults={"title": "Default benchmark"}
    )


def remove_default_if_empty(apps, schema_editor):
    Benchmark = apps.get_model("videos", "Benchmark")
    Video = apps.get_model("videos", "Video")
    Benchmark.objects.filter(name=settings.SCIANNOT_DEFAULT_BENCHMARK).exclude(
        pk__in=Video.objects.values("benchmark_id")
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("videos", "0001_initial")]
    operations = [migrations.RunPython(create_default, remove_default_if_empty)]
