"""Exemplars: accepted questions a curator marks for the drafting agents to see as examples
of their category (drafting reads them; nothing here knows of drafting)."""

from __future__ import annotations

from reviews.models import Question, QuestionStatus


class ExemplarRefused(ValueError):
    """The question cannot be an example; the message says why."""


def question_set_exemplar(question: Question, wanted: bool) -> Question:
    """Mark `question` as an example (`wanted`) or stop using it as one. Only an accepted
    question can become one; any question can stop being one."""
    if wanted and question.status != QuestionStatus.ACCEPTED:
        raise ExemplarRefused("Only accepted questions can be examples.")
    # An UPDATE of the one column: the version and the revision history stay as they are.
    Question.objects.filter(pk=question.pk).update(exemplar=wanted)
    question.refresh_from_db()
    return question
