"""Which knowledge types a text carries: the author's hashtags, else the lexicon."""

from __future__ import annotations

from bot.knowledge import KnowledgeType, hashtag_types
from bot.lexicon import classify


def knowledge_types(text: str) -> KnowledgeType:
    """Hashtags if the author used any known tag, otherwise the lexicon classifier."""
    tagged = hashtag_types(text)
    if tagged:
        return tagged
    return classify(text)
