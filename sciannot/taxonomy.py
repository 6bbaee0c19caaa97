"""Scientific disciplines and the four leaderboard categories they roll up into.

SciVideoBench's released file names seven disciplines while its leaderboard groups them into
four categories; both are kept on every video and question.
"""

from __future__ import annotations

from django.db import models


class Category(models.TextChoices):
    PHYSICS = "Physics"
    CHEMISTRY = "Chemistry"
    BIOLOGY = "Biology"
    MEDICINE = "Medicine"


# Discipline -> category, as the reference leaderboard groups them.
DISCIPLINE_CATEGORY: dict[str, str] = {
    "Physics": Category.PHYSICS,
    "Engineering": Category.PHYSICS,
    "Chemistry": Category.CHEMISTRY,
    "Biology": Category.BIOLOGY,
    "Bioengineering": Category.BIOLOGY,
    "Biochemistry": Category.BIOLOGY,
    "Medicine": Category.MEDICINE,
}

KNOWN_DISCIPLINES: tuple[str, ...] = tuple(DISCIPLINE_CATEGORY)


def category_for_discipline(discipline: str) -> str | None:
    """The category a discipline belongs to, or None when the discipline is not known."""
    if discipline in DISCIPLINE_CATEGORY:
        return DISCIPLINE_CATEGORY[discipline]
    # Tolerate case differences in hand-written files ("biology").
    lowered = discipline.strip().lower()
    for name, category in DISCIPLINE_CATEGORY.items():
        if name.lower() == lowered:
            return category
    return None


def normalise_category(value: str) -> str | None:
    """The canonical spelling of a category name, or None when it is not one of the four."""
    lowered = value.strip().lower()
    for choice in Category.values:
        if choice.lower() == lowered:
            return choice
    return None
