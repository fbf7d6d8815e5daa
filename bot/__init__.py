"""plgbot core: platform-neutral domain, commands and replies.

Nothing in this package imports a chat-platform SDK. Adapters (``adapters/``) turn
platform payloads into the events defined in :mod:`bot.events` and render the
:class:`bot.messages.OutboundMessage` values the core returns.
"""

from bot.events import ChannelRef, InboundMessage, MessageDeleted, PersonRef, SchoolRef
from bot.messages import OutboundMessage
from bot.service import Bot

__all__ = [
    "Bot",
    "ChannelRef",
    "InboundMessage",
    "MessageDeleted",
    "OutboundMessage",
    "PersonRef",
    "SchoolRef",
]
