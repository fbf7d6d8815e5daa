"""Which knowledge types a text carries: the author's hashtags, else the lexicon."""

from __future__ import annotations

from bot.knowledge.lexicon import classify
from bot.knowledge.types import KnowledgeType, hashtag_types


def knowledge_types(text: str) -> KnowledgeType:
    """Hashtags if the author used any known tag, otherwise the lexicon classifier."""
    tagged = hashtag_types(text)
    if tagged:
        return tagged
    return classify(text)
