"""`manage.py freeze_release NAME --version V [--split S] [--video ID]... [--category C]...
[--type T]...`: freeze the matching accepted items into an immutable release."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.urls import reverse

from releases.models import Access
from releases.services import FreezeRequest, GateFailed, ReleaseInvalid, release_freeze
from reviews.models import QuestionType
from videos.management.base import BenchmarkCommand
from videos.taxonomy import Category, normalise_category

SHORT_TYPES = {
    "c": QuestionType.CONCEPTUAL,
    "conceptual": QuestionType.CONCEPTUAL,
    "h": QuestionType.HYPOTHETICAL,
    "hypothetical": QuestionType.HYPOTHETICAL,
    "q": QuestionType.QUANTITATIVE,
    "quantitative": QuestionType.QUANTITATIVE,
}


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
        parser.add_argument("--video", action="append", default=[], metavar="ID")
        parser.add_argument("--category", action="append", default=[])
        parser.add_argument("--type", action="append", default=[], dest="types")
        parser.add_argument("--description", default="")
        parser.add_argument("--license", default="")
        parser.add_argument(
            "--access",
            choices=Access.values,
            default=Access.CURATORS,
            help="Who may download it (curators by default).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        categories = []
        for value in options["category"]:
            category = normalise_category(value)
            if category is None:
                raise CommandError(
                    f"--category {value!r} is not a category; use " + ", ".join(Category.values)
                )
            categories.append(category)
        request = FreezeRequest(
            name=options["name"],
            version=options["version"],
            split=options["split"],
            videos=[v.removeprefix("jove_") for v in options["video"]],
            categories=categories,
            types=[question_type(t) for t in options["types"]],
            description=options["description"],
            license=options["license"],
            access=options["access"],
        )
        try:
            release, report = release_freeze(benchmark=benchmark, request=request, user=None)
        except ReleaseInvalid as exc:
            raise CommandError(str(exc)) from exc
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
        split = release.manifest["splits"][request.split]
        sha = split["files"][f"{request.split}.jsonl"]["sha256"]
        url = settings.SITE_URL + reverse(
            "api:release-download", args=[release.name, release.version, f"{request.split}.jsonl"]
        )
        self.stdout.write(
            f"Froze {release.name} {release.version}: {split['count']} items in split "
            f"{request.split}, sha256 {sha}. {url}"
        )
