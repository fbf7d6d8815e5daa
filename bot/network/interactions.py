"""Interaction origins and the direction of the edges they create (design.md)."""

from __future__ import annotations

from enum import StrEnum


class Origin(StrEnum):
    TOLD = "told"
    HEARD = "heard"
    DISCUSSED = "discussed"
    MENTION = "mention"
    THREAD_REPLY = "thread_reply"
    ASKED = "asked"
    SURVEY = "survey"
    ROUND_REPLY = "round_reply"


def edges(origin: Origin, actor: int, other: int) -> list[tuple[int, int]]:
    """The directed edges (source, target) when ``actor`` logs ``origin`` about ``other``.

    ``source -> target`` means the source shared knowledge with the target. For a thread
    reply the actor is the one replying and ``other`` the author of the parent message.
    """
    match origin:
        case Origin.HEARD:
            return [(other, actor)]
        case Origin.DISCUSSED | Origin.SURVEY:
            return [(actor, other), (other, actor)]
        case _:
            return [(actor, other)]


def is_question(text: str) -> bool:
    """A mention carrying a question is an ``asked`` interaction rather than a plain
    ``mention``: the answer in the thread will add the edge back."""
    return "?" in text
