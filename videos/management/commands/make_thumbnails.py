"""`manage.py make_thumbnails [--video ID]... [--here]`: the timeline's pictures of videos that
have none (stored before there were strips, or their file lost)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from videos.management.base import BenchmarkCommand
from videos.models import Video
from videos.thumbnails import thumbnails_send, video_make_thumbnails, videos_missing_thumbnails


class Command(BenchmarkCommand):
    help = (
        "Send to the worker the thumbnail strip of every video of the benchmark that has a "
        "file but no strip (or only the videos named with --video); --here makes them in "
        "this process instead. Videos that have a strip are left alone."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--video",
            action="append",
            default=[],
            metavar="VIDEO_ID",
            help="Only this video (repeat for more).",
        )
        parser.add_argument(
            "--here",
            action="store_true",
            help="Make the strips in this process, without a worker.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        wanted: list[str] = options["video"]
        if wanted:
            known = set(
                Video.objects.filter(benchmark=benchmark, video_id__in=wanted).values_list(
                    "video_id", flat=True
                )
            )
            unknown = [video_id for video_id in wanted if video_id not in known]
            if unknown:
                raise CommandError(f"no video {unknown[0]!r} in benchmark {benchmark.name}")
        videos = videos_missing_thumbnails(benchmark=benchmark, video_ids=wanted or None)
        if not videos:
            self.stdout.write("Every video with a file has its thumbnail strip.")
            return
        if options["here"]:
            made = 0
            for video in videos:
                if video_make_thumbnails(video_pk=video.pk):
                    made += 1
                    self.stdout.write(f"{video.video_id}: made")
                else:
                    self.stderr.write(f"{video.video_id}: no strip (undecodable or replaced)")
            self.stdout.write(f"{made} of {len(videos)} strip(s) made.")
            return
        sent = thumbnails_send(videos=videos)
        self.stdout.write(f"{sent} of {len(videos)} strip(s) sent to the worker.")
        if sent < len(videos):
            raise CommandError("the task queue (broker) cannot be reached; try again later")
