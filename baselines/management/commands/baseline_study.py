"""`manage.py baseline_study NAME --release R --version V [--split S] --evaluators U1,U2`:
open a blind human-baseline study; the last line printed is where evaluators start."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.urls import reverse

from baselines.services import StudyInvalid, study_open
from releases.management.base import ReleaseCommand
from sciannot.accounts.models import User
from sciannot.site import site_url, site_url_note


class Command(ReleaseCommand):
    help = "Open a blind human-baseline study over a release split."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name")
        parser.add_argument("--release", required=True)
        parser.add_argument("--version", required=True)
        parser.add_argument("--split", default="test")
        parser.add_argument("--evaluators", required=True, help="Usernames, comma-separated.")
        parser.add_argument("--no-video", action="store_true", help="Hide the video.")
        parser.add_argument("--no-transcript", action="store_true", help="Hide the transcript.")
        parser.add_argument(
            "--time-limit", type=int, default=None, metavar="SECONDS", help="Per item."
        )
        parser.add_argument(
            "--no-rewatch", action="store_true", help="The video plays once, without seeking."
        )
        parser.add_argument(
            "--items", type=int, default=None, metavar="N", help="A sample of N items."
        )
        parser.add_argument("--seed", type=int, default=0, help="Seed of the sample.")

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        release = self.get_release(benchmark, options["release"], options["version"])
        names = [n.strip() for n in options["evaluators"].split(",") if n.strip()]
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        missing = [n for n in names if n not in users]
        if missing:
            raise CommandError("no such user: " + ", ".join(missing))
        try:
            study = study_open(
                benchmark=benchmark,
                name=options["name"],
                release=release,
                split=options["split"],
                evaluators=[users[n] for n in names],
                show_video=not options["no_video"],
                show_transcript=not options["no_transcript"],
                time_limit=options["time_limit"],
                allow_rewatch=not options["no_rewatch"],
                sample_size=options["items"],
                seed=options["seed"],
            )
        except StudyInvalid as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Opened {study.name}: {len(study.items)} items of {release.name} "
            f"{release.version} ({study.split}) for {', '.join(names)}."
        )
        site_url_note(self.stderr)
        self.stdout.write(site_url(reverse("baselines:answer", args=[study.pk])))
