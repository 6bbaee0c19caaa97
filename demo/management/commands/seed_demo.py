"""`manage.py seed_demo`: demo accounts, synthetic videos, transcripts and questions."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from demo.lifecycle import LifecycleDataError
from demo.recorded_job import RecordedJobError
from demo.seed import DemoDataError, VideoQuality, database_is_empty, demo_logins, demo_seed
from demo.tasks import demo_media_send
from sciannot.site import site_url, site_url_note
from videos.management.base import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Create the demo accounts, videos (demo-1, demo-2, …) and questions; idempotent."
    creates_benchmark = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only when the database has no accounts and no videos.",
        )
        parser.add_argument("--width", type=int, default=640, help="Demo video width.")
        parser.add_argument("--height", type=int, default=360, help="Demo video height.")
        parser.add_argument("--fps", type=int, default=15, help="Demo video frame rate.")
        parser.add_argument(
            "--media-later",
            action="store_true",
            help=(
                "Create everything now but leave the videos' files to the Celery worker "
                "(`make run` starts the server without waiting for them)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.seed(options)
        except (DemoDataError, LifecycleDataError, RecordedJobError) as exc:
            raise CommandError(f"demo data: {exc}") from exc

    def seed(self, options: dict[str, Any]) -> None:
        if options["if_empty"] and not database_is_empty():
            self.stdout.write("The database already has data; the demo is not seeded again.")
        else:
            benchmark = self.get_benchmark(options)
            quality = VideoQuality(options["width"], options["height"], options["fps"])
            counts = demo_seed(
                benchmark=benchmark,
                quality=quality,
                log=self.stdout.write,
                media_later=options["media_later"],
            )
            pending = counts["pending"]
            if pending:
                demo_media_send(pending, quality)
            later = f" (the worker is generating {len(pending)} of their files)" if pending else ""
            self.stdout.write(
                f"Demo ready: {counts['videos']} videos{later}, "
                f"{counts['questions_created']} questions created."
            )
            if pending:
                self.stdout.write(
                    "The worker freezes the demo release, runs its studies and imports its "
                    "model runs once the files are done."
                )
        logins = demo_logins()
        if logins:
            site_url_note(self.stderr)
            self.stdout.write(f"Sign in at {site_url('/accounts/login/')} with:")
            for account in logins:
                self.stdout.write(
                    f"  {account.role:<10} user {account.username:<10} password {account.password}"
                )
