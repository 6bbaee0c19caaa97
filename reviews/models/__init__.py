"""Questions about videos, their options and evidence spans, and their revision history."""

from __future__ import annotations

from reviews.models.comments import Comment
from reviews.models.decisions import Decision, DecisionKind, RejectReason, Solve
from reviews.models.questions import (
    EvidenceSpan,
    Option,
    Question,
    QuestionSource,
    QuestionStatus,
    QuestionType,
    SpanOrigin,
    new_uid,
)
from reviews.models.revisions import Revision

__all__ = [
    "Comment",
    "Decision",
    "DecisionKind",
    "EvidenceSpan",
    "Option",
    "Question",
    "QuestionSource",
    "QuestionStatus",
    "QuestionType",
    "RejectReason",
    "Revision",
    "Solve",
    "SpanOrigin",
    "new_uid",
]
