"""`manage.py evaluate_model MODEL --release R --version V [--split S] [--input video|text|
transcript] [--prompt default|cot] [--max-calls N] [--wait]`: evaluate a model on a release
split on the workers, with the configured `LLM_*` provider; its replies are scored as
`import_predictions` scores a file's."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import CommandError

from baselines.evaluation import (
    EvaluationInvalid,
    EvaluationRequest,
    evaluation_progress,
    evaluation_start,
)
from baselines.models import EvalInput, EvalPrompt, EvalStatus, Evaluation
from baselines.predictions import run_rows
from baselines.scoring import format_table
from drafting.providers import ProviderNotConfigured
from releases.management.base import ReleaseCommand
from sciannot.queue import QueueUnavailable

POLL_SECONDS = 1.0


class Command(ReleaseCommand):
    help = "Evaluate a model on a release split with the configured provider."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("model", help="The provider's model id; the leaderboard name.")
        parser.add_argument("--release", required=True)
        parser.add_argument("--version", required=True)
        parser.add_argument("--split", default="test")
        parser.add_argument("--input", choices=EvalInput.values, default=EvalInput.VIDEO)
        parser.add_argument("--prompt", choices=EvalPrompt.values, default=EvalPrompt.DEFAULT)
        parser.add_argument("--temperature", type=float, default=0.0)
        parser.add_argument(
            "--max-calls", type=int, help="The call budget (default: two per item)."
        )
        parser.add_argument("--max-cost", help="A cost budget in US dollars (needs a price).")
        parser.add_argument(
            "--include-open-study-items",
            action="store_true",
            help="Send the items of an open (sealed) study over the split to the provider.",
        )
        parser.add_argument(
            "--wait", action="store_true", help="Follow the run to its end; fail if it fails."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        release = self.get_release(benchmark, options["release"], options["version"])
        max_cost = None
        if options["max_cost"] is not None:
            try:
                max_cost = Decimal(options["max_cost"])
            except InvalidOperation as exc:
                raise CommandError(
                    f"--max-cost must be a number of US dollars, not {options['max_cost']!r}"
                ) from exc
        request = EvaluationRequest(
            model=options["model"],
            input=options["input"],
            prompt=options["prompt"],
            temperature=options["temperature"],
            max_calls=options["max_calls"],
            max_cost=max_cost,
            include_open_study_items=options["include_open_study_items"],
        )
        try:
            evaluation = evaluation_start(
                release=release, split=options["split"], request=request, user=None
            )
        except (EvaluationInvalid, ProviderNotConfigured, QueueUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(evaluation.name)
        self.stdout.write(
            f"Queued evaluation {evaluation.pk}: {evaluation.items_total} items of "
            f"{release.name} {release.version} ({evaluation.split}), input {evaluation.input}, "
            f"prompt {evaluation.prompt}, at most {evaluation.max_calls} calls."
        )
        if options["wait"]:
            self.follow(evaluation)

    def follow(self, evaluation: Evaluation) -> None:
        shown = ""
        while True:
            evaluation.refresh_from_db()
            progress = evaluation_progress(evaluation)
            line = (
                f"{evaluation.get_status_display()}: {progress.finished}/{progress.total} items "
                f"({progress.failed} failed), {evaluation.calls_made} calls"
                + (f", ${evaluation.cost}" if evaluation.cost is not None else "")
            )
            if line != shown:
                self.stdout.write(line)
                shown = line
            published = evaluation.model_run_id is not None
            if evaluation.status in (EvalStatus.FAILED, EvalStatus.CANCELLED):
                raise CommandError(
                    f"evaluation {evaluation.pk} {evaluation.get_status_display().lower()}: "
                    f"{evaluation.reason}"
                )
            if published and evaluation.status in (EvalStatus.DONE, EvalStatus.BUDGET):
                break
            time.sleep(POLL_SECONDS)
        if evaluation.reason:
            self.stdout.write(f"Stopped early: {evaluation.reason}")
        assert evaluation.model_run is not None
        scores = run_rows(evaluation.model_run)
        self.stdout.write(format_table([scores.careful.as_dict(), scores.official.as_dict()]))
