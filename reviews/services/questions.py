"""Writing a question's options and evidence spans, for every path that replaces them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from reviews.models import EvidenceSpan, Option, Question


def question_set_options(question: Question, options: Mapping[str, str]) -> None:
    question.options.all().delete()
    Option.objects.bulk_create(
        Option(question=question, letter=letter, text=text) for letter, text in options.items()
    )


def question_set_spans(question: Question, spans: Iterable[tuple[float, float, str, str]]) -> None:
    """Replace the spans with (start, end, note, origin) tuples, in order."""
    question.spans.all().delete()
    EvidenceSpan.objects.bulk_create(
        EvidenceSpan(question=question, start=start, end=end, note=note, origin=origin, order=n)
        for n, (start, end, note, origin) in enumerate(spans)
    )
