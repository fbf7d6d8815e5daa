"""Which knowledge types a text carries: the author's hashtags, else what the lexicon
and the model read in it, and whether plgbot should ask (design.md, "When plgbot is
unsure")."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge.lexicon import classify
from bot.knowledge.model import pinned
from bot.knowledge.types import KnowledgeType, hashtag_types


@dataclass(frozen=True, slots=True)
class Reading:
    types: KnowledgeType
    # Nothing found, or the lexicon and the model disagree about a type: the
    # confirmation offers the types as buttons instead of trusting the guess.
    unsure: bool


def read(text: str) -> Reading:
    """Hashtags if the author used any known tag; otherwise every type the lexicon or
    the model finds. On the held-out sentences the union is what reaches the recall
    the nudges need; where the two disagree it is right about half as often as where
    they agree (README, "Knowledge types"), hence the question."""
    tagged = hashtag_types(text)
    if tagged:
        return Reading(tagged, unsure=False)
    lexicon = classify(text)
    model = pinned().classify(text)
    types = lexicon | model
    return Reading(types, unsure=not types or lexicon != model)


def knowledge_types(text: str) -> KnowledgeType:
    return read(text).types
