"""Placeholder until the lexicon classifier lands (being written now)."""

from __future__ import annotations

from bot.knowledge import KnowledgeType


def classify(text: str) -> KnowledgeType:
    return KnowledgeType.NONE
