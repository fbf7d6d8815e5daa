"""Activity kinds: *how* someone spreads PLG knowledge, derived from interaction origins.

design.md ("Activities", seed 001) names three categories: knowledge management
(spreading: posts, newsletters), exchange and connection (whiteboard questions,
involving colleagues) and capacity building (workshops, a mini-PLG afternoon). plgbot
can only see what happens in chat, so it tells four kinds apart, by the origin of the
interactions a person *sent* (was the source of):

| kind | origins | category |
|---|---|---|
| conversation | told, heard, discussed, survey | exchange and connection (talking it through) |
| channel post | mention | knowledge management (posting for colleagues) |
| question thread | asked, thread_reply | exchange and connection (asking, answering) |
| whiteboard | round_reply | exchange and connection (question rounds) |

A ``heard`` is logged by the receiver, but the sharer had the conversation, so it
counts for the source like every other origin. Survey answers report conversations.
An interactor who used three or more kinds is *advanced* (design.md, profiles).
"""

from __future__ import annotations

from enum import Flag

from bot.network.interactions import Origin


class Activity(Flag):
    NONE = 0
    CONVERSATION = 1
    CHANNEL_POST = 2
    QUESTION_THREAD = 4
    WHITEBOARD = 8

    @property
    def kinds(self) -> int:
        """How many kinds are set."""
        return bin(self.value).count("1")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name.lower() for m in ALL_ACTIVITIES if m in self and m.name)


ALL_ACTIVITIES = (
    Activity.CONVERSATION,
    Activity.CHANNEL_POST,
    Activity.QUESTION_THREAD,
    Activity.WHITEBOARD,
)

ORIGIN_ACTIVITY: dict[Origin, Activity] = {
    Origin.TOLD: Activity.CONVERSATION,
    Origin.HEARD: Activity.CONVERSATION,
    Origin.DISCUSSED: Activity.CONVERSATION,
    Origin.SURVEY: Activity.CONVERSATION,
    Origin.MENTION: Activity.CHANNEL_POST,
    Origin.ASKED: Activity.QUESTION_THREAD,
    Origin.THREAD_REPLY: Activity.QUESTION_THREAD,
    Origin.ROUND_REPLY: Activity.WHITEBOARD,
}

# What the storage queries need: activity bit -> origin strings.
ACTIVITY_ORIGINS: dict[int, tuple[str, ...]] = {
    kind.value: tuple(o.value for o, k in ORIGIN_ACTIVITY.items() if k is kind)
    for kind in ALL_ACTIVITIES
}
