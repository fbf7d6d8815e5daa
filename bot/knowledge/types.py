"""Knowledge types: what a message or a logged interaction shares about a PLG.

Explicit hashtags win; without them the deterministic lexicon classifier in
:mod:`bot.knowledge.lexicon` infers the types
(:func:`bot.knowledge.tagging.knowledge_types` combines both).
"""

from __future__ import annotations

import re
from enum import Flag


class KnowledgeType(Flag):
    """Stored as a bit mask, so "did this person share focus and process" is one
    bitwise OR over their interactions, in SQL as in Python."""

    NONE = 0
    FOCUS = 1
    PROCESS = 2
    OUTCOMES = 4
    BENEFITS = 8
    ORGANISATION = 16

    @classmethod
    def from_names(cls, names: list[str] | tuple[str, ...]) -> KnowledgeType:
        result = cls.NONE
        for name in names:
            result |= cls[name.upper()]
        return result

    @property
    def names(self) -> tuple[str, ...]:
        """Lower-case names of the set types, in a fixed order."""
        return tuple(member.name.lower() for member in ALL_TYPES if member in self and member.name)


ALL_TYPES: tuple[KnowledgeType, ...] = (
    KnowledgeType.FOCUS,
    KnowledgeType.PROCESS,
    KnowledgeType.OUTCOMES,
    KnowledgeType.BENEFITS,
    KnowledgeType.ORGANISATION,
)

# Dutch and English tags, singular and plural; matching ignores case.
HASHTAGS: dict[str, KnowledgeType] = {
    "focus": KnowledgeType.FOCUS,
    "probleem": KnowledgeType.FOCUS,
    "problem": KnowledgeType.FOCUS,
    "proces": KnowledgeType.PROCESS,
    "process": KnowledgeType.PROCESS,
    "aanpak": KnowledgeType.PROCESS,
    "approach": KnowledgeType.PROCESS,
    "werkwijze": KnowledgeType.PROCESS,
    "resultaat": KnowledgeType.OUTCOMES,
    "resultaten": KnowledgeType.OUTCOMES,
    "opbrengst": KnowledgeType.OUTCOMES,
    "opbrengsten": KnowledgeType.OUTCOMES,
    "result": KnowledgeType.OUTCOMES,
    "results": KnowledgeType.OUTCOMES,
    "outcome": KnowledgeType.OUTCOMES,
    "outcomes": KnowledgeType.OUTCOMES,
    "meerwaarde": KnowledgeType.BENEFITS,
    "benefit": KnowledgeType.BENEFITS,
    "benefits": KnowledgeType.BENEFITS,
    "organisatie": KnowledgeType.ORGANISATION,
    "organisation": KnowledgeType.ORGANISATION,
    "organization": KnowledgeType.ORGANISATION,
    "planning": KnowledgeType.ORGANISATION,
}

_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")


def hashtag_types(text: str) -> KnowledgeType:
    """Types named by hashtags such as ``#proces`` or ``#benefits``."""
    result = KnowledgeType.NONE
    for tag in _HASHTAG.findall(text):
        result |= HASHTAGS.get(tag.lower(), KnowledgeType.NONE)
    return result
