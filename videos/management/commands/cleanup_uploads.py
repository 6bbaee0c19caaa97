"""`manage.py cleanup_uploads`: delete the bytes of uploads abandoned past their expiry."""

from __future__ import annotations

from typing import Any

from videos.management.base import BenchmarkCommand
from videos.uploads.services import uploads_expire


class Command(BenchmarkCommand):
    help = (
        "Expire the benchmark's uploads that received nothing for UPLOAD_EXPIRE_HOURS: delete "
        "their partial files and abort their S3 multipart uploads. Celery beat does the same "
        "for every benchmark each hour."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        expired = uploads_expire(benchmark=benchmark)
        self.stdout.write(f"{expired} abandoned upload(s) expired and deleted.")
