"""What the dataset card says of the layers above, given by those layers at freeze time.

A freeze asks each registered function for a Markdown section about the previous version of
the release (the item analysis of its answers, from the baselines app); this layer never
imports them. They register from their `AppConfig.ready()`. A function returns "" when it has
nothing to say, and the card is then what it would be without it, to the byte.
"""

from __future__ import annotations

from collections.abc import Callable

from releases.models import Release

# The Markdown section about `previous` for the card of the release frozen after it.
CardSection = Callable[[Release], str]
_card_sections: list[CardSection] = []


def card_section_register(section: CardSection) -> None:
    if section not in _card_sections:
        _card_sections.append(section)


def card_sections(previous: Release | None) -> str:
    """The sections the layers above write about `previous`, "" when none (or no previous)."""
    if previous is None:
        return ""
    found = [text.strip("\n") for section in _card_sections if (text := section(previous))]
    return "\n\n".join(found) + "\n" if found else ""
