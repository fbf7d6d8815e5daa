"""Who the bot is talking to, in which language, in which database transaction
(:class:`Context`), and, while handling a message, which one (:class:`Turn`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import Language, text
from bot.config import BotConfig
from bot.events import InboundMessage
from bot.knowledge.types import KnowledgeType
from bot.messages import Block, OutboundMessage, Paragraph, message
from storage.models import Person, School


@dataclass(frozen=True, slots=True)
class Context:
    session: AsyncSession
    config: BotConfig
    school: School
    author: Person
    language: Language
    now: datetime

    def turn(self, event: InboundMessage) -> Turn:
        """This context, while handling ``event``."""
        return Turn(
            session=self.session,
            config=self.config,
            school=self.school,
            author=self.author,
            language=self.language,
            now=self.now,
            event=event,
        )

    def t(self, key: str, **values: object) -> str:
        return text(self.language, key, **values)

    def reply(self, *blocks: Block) -> OutboundMessage:
        """A reply only the author needs to see (ephemeral in a shared channel)."""
        return message(*blocks, private=True)

    def say(self, key: str, **values: object) -> OutboundMessage:
        return self.reply(Paragraph(self.t(key, **values)))

    def type_names(self, types: KnowledgeType) -> str:
        return self.enumerate([self.t(f"types.{name}") for name in types.names])

    def enumerate(self, items: list[str]) -> str:
        """``a``, ``a and b``, ``a, b and c`` in the turn's language."""
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.t('words.and')} {items[-1]}"

    def enumerate_or(self, items: list[str]) -> str:
        """``a``, ``a or b``, ``a, b or c`` in the turn's language."""
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.t('words.or')} {items[-1]}"


@dataclass(frozen=True, slots=True)
class Turn(Context):
    event: InboundMessage

    @property
    def message_key(self) -> str:
        """Identifies the message across deliveries, edits and deletions."""
        e = self.event
        return f"{e.school.platform}:{e.school.tenant_id}:{e.channel.channel_id}:{e.message_id}"
