"""`manage.py freeze_release NAME --version V [--split S] [--video ID]... [--category C]...
[--type T]...`: freeze the matching accepted items into an immutable release."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.urls import reverse

from releases.access import AccessRefused
from releases.freeze import GateFailed, ReleaseInvalid, release_freeze
from releases.models import Access
from releases.rows import FreezeRequest
from releases.splits import SplitInvalid, parse_proportions
from reviews.models import QuestionType
from sciannot.site import site_url, site_url_note
from sciannot.taxonomy import Category, normalise_category
from videos.management.base import BenchmarkCommand

SHORT_TYPES = {
    "c": QuestionType.CONCEPTUAL,
    "conceptual": QuestionType.CONCEPTUAL,
    "h": QuestionType.HYPOTHETICAL,
    "hypothetical": QuestionType.HYPOTHETICAL,
    "q": QuestionType.QUANTITATIVE,
    "quantitative": QuestionType.QUANTITATIVE,
}


def add_filter_arguments(parser: ArgumentParser) -> None:
    """The options that choose which accepted items a release takes."""
    parser.add_argument("--video", action="append", default=[], metavar="ID")
    parser.add_argument("--category", action="append", default=[])
    parser.add_argument("--type", action="append", default=[], dest="types")


def request_from_options(options: dict[str, Any], **fields: Any) -> FreezeRequest:
    """A freeze request with the command's filters and the other `fields` given."""
    categories = []
    for value in options["category"]:
        category = normalise_category(value)
        if category is None:
            raise CommandError(
                f"--category {value!r} is not a category; use " + ", ".join(Category.values)
            )
        categories.append(category)
    return FreezeRequest(
        videos=[v.removeprefix("jove_") for v in options["video"]],
        categories=categories,
        types=[question_type(t) for t in options["types"]],
        **fields,
    )


def question_type(value: str) -> str:
    if value in QuestionType.values:
        return value
    kind = SHORT_TYPES.get(value.strip().lower())
    if kind is None:
        raise CommandError(
            f"--type {value!r} is not a question type; use " + ", ".join(QuestionType.values)
        )
    return str(kind)


class Command(BenchmarkCommand):
    help = "Freeze accepted items (all, or those matching the filters) into a release version."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name")
        parser.add_argument("--version", required=True, help="Semantic version, e.g. 1.0.0.")
        parser.add_argument("--split", default="test")
        add_filter_arguments(parser)
        parser.add_argument("--description", default="")
        parser.add_argument("--license", default="")
        parser.add_argument(
            "--access",
            choices=Access.values,
            default=Access.CURATORS,
            help="Who may download it (curators by default).",
        )
        parser.add_argument(
            "--stratify",
            default="",
            metavar="test=0.8,val=0.2",
            help="Split by category x type in these proportions instead of one split.",
        )
        parser.add_argument("--seed", type=int, default=0, help="Seed of the stratified split.")
        parser.add_argument(
            "--split-videos",
            action="store_true",
            help="Let one video's questions go to different splits.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        request = request_from_options(
            options,
            name=options["name"],
            version=options["version"],
            split=options["split"],
            description=options["description"],
            license=options["license"],
            access=options["access"],
            proportions=self.proportions(options["stratify"]),
            seed=options["seed"],
            keep_videos_together=not options["split_videos"],
        )
        started = time.perf_counter()
        try:
            release, report = release_freeze(benchmark=benchmark, request=request, user=None)
        except ReleaseInvalid as exc:
            raise CommandError(str(exc)) from exc
        except AccessRefused as exc:
            raise CommandError(f"{exc}; nothing was frozen") from exc
        except GateFailed as exc:
            for problem in exc.report.errors:
                self.stderr.write(f"error: {problem.message}")
            for problem in exc.report.warnings:
                self.stderr.write(f"warning: {problem.message}")
            raise CommandError(
                f"{len(exc.report.errors)} error(s) block freezing {request.name} "
                f"{request.version}; nothing was frozen"
            ) from exc
        for problem in report.warnings:
            shown = ", ".join(problem.uids[:10]) + (" …" if len(problem.uids) > 10 else "")
            self.stdout.write(f"warning: {problem.message}" + (f" [{shown}]" if shown else ""))
        site_url_note(self.stderr)
        for name in request.split_names:
            split = release.manifest["splits"][name]
            sha = split["files"][f"{name}.jsonl"]["sha256"]
            url = site_url(
                reverse(
                    "api:release-download", args=[release.name, release.version, f"{name}.jsonl"]
                )
            )
            self.stdout.write(
                f"Froze {release.name} {release.version}: {split['count']} items in split "
                f"{name}, sha256 {sha}. {url}"
            )
        self.stdout.write(f"The freeze took {time.perf_counter() - started:.1f} s.")

    def proportions(self, text: str) -> dict[str, float] | None:
        if not text:
            return None
        try:
            return parse_proportions(text)
        except SplitInvalid as exc:
            raise CommandError(f"--stratify: {exc}") from exc
