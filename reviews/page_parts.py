"""What a question's review page shows of the layers above, given by those layers.

The page shows where an LLM draft came from (its job, model, prompts and checks); the drafting
app registers that part from its `AppConfig.ready()`, so this layer never imports drafting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reviews.models import Question

# Context for a question's review page.
QuestionContext = Callable[[Question], dict[str, Any]]
_question_contexts: list[QuestionContext] = []


def question_context_register(context: QuestionContext) -> None:
    if context not in _question_contexts:
        _question_contexts.append(context)


def question_page_context(question: Question) -> dict[str, Any]:
    """What the layers above show on `question`'s review page."""
    context: dict[str, Any] = {}
    for part in _question_contexts:
        context.update(part(question))
    return context
