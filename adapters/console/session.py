"""A console chat session: who you are, where you post, and the messages so far.

It plays the role errbot's test backend plays: a test sends a line and reads what the
bot answered, through the real core and a real database. What the scheduler posts on
its own (question rounds) arrives through :class:`ConsoleMessenger` as numbered
messages too: printed at once when a ``listener`` is set (interactive use), else shown
before the answer to the next line.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from adapters.console.messenger import ConsoleMessenger
from adapters.console.render import render
from adapters.console.scheduling import SteppableClock, parse_duration, run_until
from bot.catalogue import Language, as_language, text
from bot.clock import Clock, SystemClock
from bot.events import ActionInvoked, ChannelRef, InboundMessage, PersonRef, SchoolRef
from bot.knowledge.types import HASHTAGS
from bot.messages import Actions, Button, File, OutboundMessage
from bot.ports import Messengers
from bot.rounds.messages import when
from bot.school_time import zone_of
from bot.service import Bot
from scheduler.sources import job_sources
from storage import Database, directory
from storage.models import Person

PLATFORM = "console"
BOT_NAME = "plgbot"
DIRECT = ChannelRef(channel_id="dm", name=None, is_direct=True)
BOT = PersonRef(user_id=BOT_NAME, display_name=BOT_NAME, is_bot=True)

_MENTION = re.compile(r"@([\w.\-]*\w)")
_CHANNEL = re.compile(r"(?<![\w&])#([\w\-]+)")


class ConsoleError(Exception):
    """A console command that cannot be carried out; the message says why."""


@dataclass(slots=True)
class _Posted:
    message_id: str
    channel: ChannelRef
    author: PersonRef
    buttons: tuple[Button, ...] = ()


class ConsoleSession:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        school: str = "demo",
        clock: Clock | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self.bot = bot
        self.db = db
        # Where files plgbot sends (a data export, a picture) are written.
        self.files_dir = files_dir or platformdirs.user_data_path("plgbot") / "console-files"
        self.school = SchoolRef(platform=PLATFORM, tenant_id=school)
        self.clock = clock or SystemClock()
        self.me: PersonRef | None = None
        self.channel = DIRECT
        self._posted: list[_Posted] = []
        self._language: Language = bot.config.default_language
        self.messengers = Messengers()
        self.messengers.register(PLATFORM, ConsoleMessenger(self))
        # The jobs the console's own scheduler runs (rounds, and whatever joins them).
        self.sources = job_sources(bot, self.messengers)
        # Where proactive posts go: printed at once, or kept for the next answer.
        self.listener: Callable[[list[str]], None] | None = None
        self._outbox: list[str] = []

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
            out = await self._console_command(stripped)
        elif not stripped:
            out = []
        elif self.me is None:
            raise ConsoleError("/as NAME")
        else:
            out = await self._post(stripped, thread_of=None)
        return self.drain() + out

    def drain(self) -> list[str]:
        """Proactive posts not shown yet."""
        shown, self._outbox = self._outbox, []
        return shown

    def show_bot_post(
        self,
        message: OutboundMessage,
        *,
        channel: str | None = None,
        thread_id: str | None = None,
        to_person: str | None = None,
    ) -> str:
        """Show a post plgbot makes on its own; returns its message id."""
        where = ChannelRef(channel_id=channel, name=channel) if channel else DIRECT
        posted = _Posted(uuid.uuid4().hex, where, BOT, _buttons(message))
        self._posted.append(posted)
        number = len(self._posted)
        parent = next((i for i, p in enumerate(self._posted, 1) if p.message_id == thread_id), None)
        place = f"#{channel}" if channel else f"dm @{to_person}"
        thread = f" ↳[{parent}]" if parent else ""
        shown = render(message, in_channel=True, number=number, saved=self._save_files(message))
        lines = [f"[{number}] {place}{thread} " + shown]
        if self.listener is not None:
            self.listener(lines)
        else:
            self._outbox.extend(lines)
        return posted.message_id

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
            case "/press":
                return await self._press(rest)
            case "/wait":
                return await self._wait(rest)
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
            out.append(self._shown_reply(reply, channel))
        return out

    def _shown_reply(self, reply: OutboundMessage, channel: ChannelRef) -> str:
        """A reply; one with buttons gets a number, so ``/press`` can reach it."""
        buttons = _buttons(reply)
        saved = self._save_files(reply)
        if not buttons:
            return render(reply, in_channel=not channel.is_direct, saved=saved)
        self._posted.append(_Posted(uuid.uuid4().hex, channel, BOT, buttons))
        number = len(self._posted)
        return f"[{number}] " + render(
            reply, in_channel=not channel.is_direct, number=number, saved=saved
        )

    def _save_files(self, message: OutboundMessage) -> dict[str, str]:
        """Write the message's files to ``files_dir`` (never over an earlier one);
        returns each file name's path."""
        saved: dict[str, str] = {}
        for block in message.blocks:
            if not isinstance(block, File):
                continue
            self.files_dir.mkdir(parents=True, exist_ok=True)
            # Only the last part of the name: a name never writes outside the folder.
            base = Path(Path(block.name).name)
            path, copy = self.files_dir / base, 1
            while path.exists():
                path = self.files_dir / f"{base.stem}-{copy}{base.suffix}"
                copy += 1
            path.write_bytes(block.content)
            saved[block.name] = str(path)
        return saved

    async def _press(self, rest: str) -> list[str]:
        """``/press N [text]`` or ``/press N.2 [text]``: a button press, as a platform
        would send it after collecting the text the button asks for."""
        target, _, answer = rest.strip().partition(" ")
        number, _, index = target.partition(".")
        if not number.isdigit() or (index and not index.isdigit()):
            raise ConsoleError("/press N [text]")
        if self.me is None:
            raise ConsoleError("/as NAME")
        if not 1 <= int(number) <= len(self._posted):
            return [self.t("console.no_such_message", number=number)]
        posted = self._posted[int(number) - 1]
        choice = int(index or 1)
        if not 1 <= choice <= len(posted.buttons):
            return [self.t("console.scheduler.no_button", number=number, button=choice)]
        button = posted.buttons[choice - 1]
        people: tuple[PersonRef, ...] = ()
        if button.picks_people:
            # The console's people picker: handles after the number, as /press N @a @b.
            people, unknown, _ = await self._mentions(
                " ".join("@" + name.lstrip("@") for name in answer.split())
            )
            if unknown:
                raise ConsoleError(self.t("console.picker.unknown", names=", ".join(unknown)))
        event = ActionInvoked(
            school=self.school,
            event_id=uuid.uuid4().hex,
            author=self.me,
            channel=posted.channel,
            action=button.action,
            value=button.value,
            sent_at=self.clock.now(),
            text=None if button.picks_people else answer.strip() or None,
            message_id=posted.message_id,
            people=people,
        )
        said = f": {answer.strip()}" if answer.strip() else ""
        out = [f"{self.me.user_id} ▸ [{button.label}] on [{number}]{said}"]
        for reply in await self.bot.handle(event):
            out.append(self._shown_reply(reply, posted.channel))
        return out

    async def _wait(self, rest: str) -> list[str]:
        """``/wait 2d``: let time pass; scheduled jobs run when they fall due."""
        delta = parse_duration(rest)
        if delta is None or not isinstance(self.clock, SteppableClock):
            raise ConsoleError(self.t("console.scheduler.bad_wait"))
        await run_until(self.sources, self.clock, self.clock.now() + delta)
        async with self.db.session() as session:
            school = await directory.find_school(session, self.school.tenant_id)
        zone = zone_of(school) if school else None
        now = self.clock.now()
        shown = when(self._language, now, zone) if zone else now.isoformat()
        return [*self.drain(), self.t("console.scheduler.waited", when=shown)]

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


def _buttons(message: OutboundMessage) -> tuple[Button, ...]:
    return tuple(b for block in message.blocks if isinstance(block, Actions) for b in block.buttons)


def _ref(person: Person) -> PersonRef:
    return PersonRef(user_id=person.platform_user_id, display_name=person.display_name)


def _display_name(name: str) -> str:
    """``anouk`` -> ``Anouk``; a name typed with capitals is kept as typed."""
    return name if any(c.isupper() for c in name) else name.title()
