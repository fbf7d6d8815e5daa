"""Reading chat commands, in English and Dutch.

The parser only understands words; who was mentioned comes from the event (adapters
resolve platform mentions), so ``@name`` tokens are replaced by a marker before parsing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalogue import Language
from bot.events import InboundMessage
from bot.knowledge.types import KnowledgeType
from bot.network.commands import NudgeCommand, parse_nudge
from bot.network.interactions import Origin
from bot.network.phrasing import read_said
from bot.privacy.commands import PrivacyCommand, parse_privacy
from bot.rounds.commands import (
    ANSWER_WORDS,
    HOLIDAY_WORDS,
    ROUND_WORDS,
    RoundCommand,
    parse_answer,
    parse_holiday,
    parse_round,
)
from bot.staff.commands import RoleCommand, parse_role_command
from bot.staff.school_year import CloseYear, parse_close_year

MENTION = "\u2063"  # invisible separator: cannot be typed by accident in chat

MAX_NAME = 100
MAX_FOCUS = 1000


@dataclass(frozen=True, slots=True)
class LogInteraction:
    origin: Origin
    rest: str
    # Set by forms, where the person picked them; typed commands infer them from text.
    knowledge: KnowledgeType | None = None
    plg: str | None = None


@dataclass(frozen=True, slots=True)
class NewPLG:
    name: str
    focus: str


@dataclass(frozen=True, slots=True)
class JoinPLG:
    name: str


@dataclass(frozen=True, slots=True)
class MakeLead:
    name: str


@dataclass(frozen=True, slots=True)
class LinkChannel:
    name: str


@dataclass(frozen=True, slots=True)
class ListPLGs:
    pass


@dataclass(frozen=True, slots=True)
class SetMeeting:
    """``plg overleg Datateam havo-3 volgende week donderdag``: ``rest`` is the PLG's
    name (or nothing, for the one PLG the lead leads) and the date, as typed."""

    rest: str


@dataclass(frozen=True, slots=True)
class AddAlias:
    """``plg alias NAME = ALIAS``; ``rest`` is all after the subcommand."""

    rest: str


@dataclass(frozen=True, slots=True)
class ShowNetwork:
    pass


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """``hulp``, ``hulp rondes``: ``words`` are what came after it."""

    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SetLanguage:
    code: str


@dataclass(frozen=True, slots=True)
class RequestDashboard:
    """``dashboard``: a coordinator asks for a one-time sign-in link."""


@dataclass(frozen=True, slots=True)
class ShowDigest:
    """``digest``/``overzicht``: a coordinator asks for this week's digest so far."""


@dataclass(frozen=True, slots=True)
class Unknown:
    pass


Command = (
    LogInteraction
    | NewPLG
    | JoinPLG
    | MakeLead
    | LinkChannel
    | ListPLGs
    | SetMeeting
    | AddAlias
    | ShowNetwork
    | ShowHelp
    | SetLanguage
    | RequestDashboard
    | ShowDigest
    | RoundCommand
    | NudgeCommand
    | PrivacyCommand
    | RoleCommand
    | CloseYear
    | Unknown
)


@dataclass(frozen=True, slots=True)
class Parsed:
    command: Command
    # The language the command was typed in, when its words say so.
    language: Language | None


_PLG_SUBCOMMANDS: dict[str, tuple[str, Language | None]] = {
    "new": ("new", "en"),
    "create": ("new", "en"),
    "nieuw": ("new", "nl"),
    "nieuwe": ("new", "nl"),
    "maak": ("new", "nl"),
    "join": ("join", "en"),
    "lid": ("join", "nl"),
    "aanmelden": ("join", "nl"),
    "deelnemen": ("join", "nl"),
    "lead": ("lead", "en"),
    "leider": ("lead", "nl"),
    "trekker": ("lead", "nl"),
    "link": ("link", None),
    "koppel": ("link", "nl"),
    "koppelen": ("link", "nl"),
    "list": ("list", "en"),
    "lijst": ("list", "nl"),
    "overzicht": ("list", "nl"),
    "alias": ("alias", None),
    "bijnaam": ("alias", "nl"),
    "meeting": ("meeting", "en"),
    "overleg": ("meeting", "nl"),
    "bijeenkomst": ("meeting", "nl"),
}
_SIMPLE: dict[str, tuple[Command, Language | None]] = {
    # "help" is a Dutch word too: the answer follows the person, not the word.
    "help": (ShowHelp(), None),
    "hulp": (ShowHelp(), "nl"),
    "?": (ShowHelp(), None),
    "network": (ShowNetwork(), "en"),
    "netwerk": (ShowNetwork(), "nl"),
    "plgs": (ListPLGs(), None),
    "dashboard": (RequestDashboard(), None),
    "overzichtspagina": (RequestDashboard(), "nl"),
    "digest": (ShowDigest(), "en"),
    "overzicht": (ShowDigest(), "nl"),
}
_LANGUAGE_WORDS: dict[str, Language] = {"language": "en", "taal": "nl", "lang": "en"}
_FOCUS_SPLIT = re.compile(r"\s+(?:focus|probleem|problem)\s*:?\s+|\s*:\s+", re.IGNORECASE)
# "wat kun je?", "hoe werkt dit", "what can you do", "how does this work".
_ASKS_WHAT_I_DO = re.compile(
    r"\b(wat kun je|wat kan je|wat kunt u|hoe werkt|what can you|what do you do|how does"
    r" (this|it|plgbot) work|how do i use)\b",
    re.IGNORECASE,
)


def starts_plg_subcommand(text: str) -> bool:
    """Whether the text starts with a ``plg`` subcommand (``koppel``, ``overleg``)."""
    first = text.split(" ", 1)[0].lower()
    return first in _PLG_SUBCOMMANDS and first not in {"lijst", "list", "overzicht"}


def mark_mentions(event: InboundMessage) -> str:
    """The event's text with every ``@name`` replaced by a marker, longest names first
    so ``@Anouk de Vries`` is not cut at ``@Anouk``."""
    text = event.text
    names = [m.display_name or m.user_id for m in event.mentions] + list(event.unknown_mentions)
    names += [m.user_id for m in event.mentions]
    for name in sorted(set(names), key=len, reverse=True):
        text = re.sub(rf"@{re.escape(name)}(?!\w)", f" {MENTION} ", text, flags=re.IGNORECASE)
    # Mentions the adapter did not list (its own name, say) still must not count as words.
    text = re.sub(r"@[\w.\-]+", f" {MENTION} ", text)
    return " ".join(text.split())


def parse(event: InboundMessage) -> Parsed:
    text = _unglued(mark_mentions(event))
    words = text.split(" ")
    leading = [w for w in words if w != MENTION]
    first = leading[0].lower().strip(",.!:") if leading and leading[0] else ""
    if (
        first in {"my", "mijn"}
        and len(leading) > 1
        and leading[1].lower() in {"network", "netwerk"}
    ):
        first = leading[1].lower()
    if first in _SIMPLE:
        command, language = _SIMPLE[first]
        if isinstance(command, ShowHelp):
            command = ShowHelp(tuple(w.lower() for w in leading[1:4] if w))
        return Parsed(command, language)
    if first in _LANGUAGE_WORDS:
        code = leading[1].lower() if len(leading) > 1 else ""
        return Parsed(SetLanguage(code), _LANGUAGE_WORDS[first])
    role = parse_role_command(first, " ".join(w for w in leading[1:] if w) if leading else "")
    if role is not None:
        return Parsed(*role)
    if first == "plg":
        return _parse_plg(words[words.index(leading[0]) + 1 :])
    if first in ROUND_WORDS or first in ANSWER_WORDS or first in HOLIDAY_WORDS:
        rest = text.split(leading[0], 1)[1]
        if first in ANSWER_WORDS:
            return Parsed(parse_answer(rest), ANSWER_WORDS[first])
        if first in HOLIDAY_WORDS:
            return Parsed(parse_holiday(rest), HOLIDAY_WORDS[first])
        command, language = parse_round(rest)
        return Parsed(command, language or ROUND_WORDS[first])
    nudge = parse_nudge(leading)
    if nudge is not None:
        return Parsed(*nudge)
    privacy = parse_privacy(leading)
    if privacy is not None:
        return Parsed(*privacy)
    year = parse_close_year(leading)
    if year is not None:
        return Parsed(*year)
    lowered = {w.lower().strip(",.!?:;") for w in leading}
    if lowered & {"netwerk", "network"} and MENTION not in words:
        # "laat mijn netwerk zien", "show my network".
        return Parsed(ShowNetwork(), "nl" if "netwerk" in lowered else "en")
    if _ASKS_WHAT_I_DO.search(text):
        return Parsed(ShowHelp(), None)
    interaction = _parse_interaction(text)
    if interaction is not None:
        return interaction
    return Parsed(Unknown(), None)


def _unglued(text: str) -> str:
    """``antwoord1 …``, ``ronde2 agenda``: a command word typed against its number."""
    glued = _GLUED.match(text)
    if glued and glued.group(1).lower() in ANSWER_WORDS | ROUND_WORDS:
        return f"{glued.group(1)} {glued.group(2)}{text[glued.end() :]}"
    return text


_GLUED = re.compile(r"^([^\W\d_]+)(\d+)(?=\s|$)")


def _parse_interaction(text: str) -> Parsed | None:
    """A reported conversation, however it is put (bot.network.phrasing): ``told @B``,
    ``ik heb bram verteld``, ``@B heeft mij uitgelegd``, ``heb met Bram gepraat over``.
    ``rest`` is the whole message without its mentions: names typed without @ and
    the PLG or knowledge it was about may stand before the verb as well as after it."""
    said = read_said(text.replace(MENTION, " "))
    if said is None:
        return None
    # A mention stays as "@": who stands before the verb tells who told whom.
    rest = " ".join("@" if w == MENTION else w for w in text.split(" ") if w)
    return Parsed(LogInteraction(said.origin, rest), said.language)


def _parse_plg(words: list[str]) -> Parsed:
    if not words or not words[0]:
        return Parsed(ListPLGs(), None)
    sub, language = _PLG_SUBCOMMANDS.get(words[0].lower(), ("", None))
    rest = " ".join(w for w in words[1:] if w != MENTION).strip()
    match sub:
        case "new":
            parts = _FOCUS_SPLIT.split(rest, maxsplit=1)
            name = parts[0].strip()
            focus = parts[1].strip() if len(parts) > 1 else ""
            return Parsed(NewPLG(name, focus), language)
        case "join":
            return Parsed(JoinPLG(rest), language)
        case "lead":
            return Parsed(MakeLead(rest), language)
        case "link":
            return Parsed(LinkChannel(re.sub(r"#\S+", "", rest).strip()), language)
        case "list":
            return Parsed(ListPLGs(), language)
        case "meeting":
            # The date is read with the PLG's name known (bot.plgs.set_meeting).
            return Parsed(SetMeeting(rest), language)
        case "alias":
            return Parsed(AddAlias(rest), language)
    return Parsed(Unknown(), None)
