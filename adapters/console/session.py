"""A console chat session: who you are, where you post, and the messages so far.

It plays the role errbot's test backend plays: a test sends a line and reads what the
bot answered, through the real core and a real database.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from adapters.console.render import render
from bot.catalogue import Language, as_language, text
from bot.clock import Clock, SystemClock
from bot.events import ChannelRef, InboundMessage, PersonRef, SchoolRef
from bot.knowledge import HASHTAGS
from bot.service import Bot
from storage import Database, directory
from storage.models import Person

PLATFORM = "console"
BOT_NAME = "plgbot"
DIRECT = ChannelRef(channel_id="dm", name=None, is_direct=True)

_MENTION = re.compile(r"@([\w.\-]*\w)")
_CHANNEL = re.compile(r"(?<![\w&])#([\w\-]+)")


class ConsoleError(Exception):
    """A console command that cannot be carried out; the message says why."""


@dataclass(slots=True)
class _Posted:
    message_id: str
    channel: ChannelRef
    author: PersonRef


class ConsoleSession:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        school: str = "demo",
        clock: Clock | None = None,
    ) -> None:
        self.bot = bot
        self.db = db
        self.school = SchoolRef(platform=PLATFORM, tenant_id=school)
        self.clock = clock or SystemClock()
        self.me: PersonRef | None = None
        self.channel = DIRECT
        self._posted: list[_Posted] = []
        self._language: Language = bot.config.default_language

    def t(self, key: str, **values: object) -> str:
        return text(self._language, key, **values)

    async def become(self, name: str) -> str:
        """Continue as ``name``: an existing person by handle or name, else a new one."""
        name = name.strip().lstrip("@")
        if not name:
            raise ConsoleError("/as NAME")
        async with self.db.session() as session:
            school = await directory.ensure_school(
                session,
                platform=PLATFORM,
                tenant_id=self.school.tenant_id,
                name=None,
                now=self.clock.now(),
                language=self.bot.config.default_language,
            )
            person = await directory.find_person(session, school.id, name)
            if person is None:
                handle = await directory.free_handle(session, school.id, name)
                person = await directory.ensure_person(
                    session,
                    school_id=school.id,
                    platform_user_id=handle,
                    display_name=_display_name(name),
                    handle=handle,
                    now=self.clock.now(),
                )
            self.me = _ref(person)
            self._language = as_language(person.language) or as_language(school.language) or "nl"
            return self.t("console.you_are", name=person.display_name, handle=f"@{person.handle}")

    async def who(self) -> list[str]:
        async with self.db.session() as session:
            school = await directory.find_school(session, self.school.tenant_id)
            people = await directory.people_of_school(session, school.id) if school else []
            return [
                f"  @{p.handle or p.platform_user_id:<12} {p.display_name}"
                f" ({p.role}{', ' + p.department if p.department else ''})"
                for p in people
            ]

    async def send(self, line: str) -> list[str]:
        """Handle one line typed by the user; returns the lines to print."""
        line = line.rstrip("\n")
        stripped = line.strip()
        if stripped.startswith("/"):
            return await self._console_command(stripped)
        if not stripped:
            return []
        if self.me is None:
            raise ConsoleError("/as NAME")
        return await self._post(stripped, thread_of=None)

    async def _console_command(self, line: str) -> list[str]:
        word, _, rest = line.partition(" ")
        match word.lower():
            case "/as":
                return [await self.become(rest)]
            case "/in":
                name = rest.strip().lstrip("#")
                if not name:
                    raise ConsoleError("/in #channel")
                self.channel = ChannelRef(channel_id=name, name=name)
                return [self.t("console.in_channel", channel=name)]
            case "/dm":
                self.channel = DIRECT
                return [self.t("console.in_direct")]
            case "/reply":
                number, _, reply = rest.strip().partition(" ")
                if not number.isdigit() or not reply.strip():
                    raise ConsoleError("/reply N text")
                if self.me is None:
                    raise ConsoleError("/as NAME")
                return await self._post(reply.strip(), thread_of=int(number))
            case "/who":
                return await self.who()
            case "/help":
                return [line for line in self.t("console.commands").splitlines() if line]
        raise ConsoleError(self.t("console.commands").strip())

    async def _post(self, body: str, *, thread_of: int | None) -> list[str]:
        assert self.me is not None
        channel, parent = self.channel, None
        if thread_of is not None:
            if not 1 <= thread_of <= len(self._posted):
                return [self.t("console.no_such_message", number=thread_of)]
            parent = self._posted[thread_of - 1]
            channel = parent.channel
        mentions, unknown, addressed = await self._mentions(body)
        event = InboundMessage(
            school=self.school,
            event_id=uuid.uuid4().hex,
            message_id=uuid.uuid4().hex,
            author=self.me,
            channel=channel,
            # The bot's own mention is the platform's addressing, not part of the command.
            text=" ".join(re.sub(rf"@{BOT_NAME}\b", "", body, flags=re.IGNORECASE).split()),
            sent_at=self.clock.now(),
            mentions=mentions,
            unknown_mentions=unknown,
            thread_parent_id=parent.message_id if parent else None,
            thread_parent_author=parent.author if parent else None,
            addressed_to_bot=addressed or channel.is_direct,
            channel_links=tuple(
                ChannelRef(channel_id=name, name=name)
                for name in _CHANNEL.findall(body)
                if name.lower() not in HASHTAGS
            ),
        )
        self._posted.append(_Posted(event.message_id, channel, self.me))
        number = len(self._posted)
        where = "dm" if channel.is_direct else f"#{channel.name}"
        thread = f" ↳[{thread_of}]" if thread_of else ""
        out = [f"[{number}] {where}{thread} {self.me.user_id}: {body}"]
        for reply in await self.bot.handle(event):
            out.append(render(reply, in_channel=not channel.is_direct))
        return out

    async def _mentions(self, body: str) -> tuple[tuple[PersonRef, ...], tuple[str, ...], bool]:
        known: list[PersonRef] = []
        unknown: list[str] = []
        addressed = False
        async with self.db.session() as session:
            school = await directory.find_school(session, self.school.tenant_id)
            for name in _MENTION.findall(body):
                if name.lower() == BOT_NAME:
                    addressed = True
                    continue
                person = await directory.find_person(session, school.id, name) if school else None
                if person is None:
                    unknown.append(name)
                else:
                    known.append(_ref(person))
        return tuple(known), tuple(unknown), addressed


def _ref(person: Person) -> PersonRef:
    return PersonRef(user_id=person.platform_user_id, display_name=person.display_name)


def _display_name(name: str) -> str:
    """``anouk`` -> ``Anouk``; a name typed with capitals is kept as typed."""
    return name if any(c.isupper() for c in name) else name.title()
