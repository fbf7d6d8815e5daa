"""Reading the question-round, answer and holiday commands, in English and Dutch.

``round new PLG | question | #channel #other | weekly monday 08:00 | closes 2026-12-01
17:00 | anonymous``: after the PLG's name, the parts between ``|`` may come in any
order and each is recognised by its shape (``#`` channels, a schedule, ``closes``/
``sluit`` ..., ``anonymous``/``anoniem``); the part left over is the question. Parsing
only reads words: whether the PLG, the channels or the times make sense is for
:mod:`bot.rounds.creation` to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.catalogue import Language
from bot.rounds.recurrence import (
    Closing,
    Recurrence,
    looks_like_schedule,
    parse_closing,
    parse_recurrence,
)

RoundAction = Literal["pause", "resume", "cancel"]
AnswerAction = Literal["add", "edit", "withdraw"]


@dataclass(frozen=True, slots=True)
class RoundDraft:
    """What a lead typed for a new or edited round. ``bad_schedule``/``bad_closing``
    hold a part that was meant as one but could not be read; ``extra`` parts that were
    not understood at all."""

    question: str | None = None
    channels: tuple[str, ...] = ()
    recurrence: Recurrence | None = None
    closing: Closing | None = None
    anonymous: bool | None = None
    bad_schedule: str | None = None
    bad_closing: str | None = None
    extra: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class NewRound:
    plg: str
    draft: RoundDraft
    # False when the command had no "|" parts at all (the lead needs the example).
    has_parts: bool = True


@dataclass(frozen=True, slots=True)
class EditRound:
    number: int | None
    draft: RoundDraft


@dataclass(frozen=True, slots=True)
class ListRounds:
    pass


@dataclass(frozen=True, slots=True)
class ChangeRound:
    number: int | None
    action: RoundAction


@dataclass(frozen=True, slots=True)
class ShowAgenda:
    number: int | None


@dataclass(frozen=True, slots=True)
class AnswerRound:
    """``answer 3 text``; for edit/withdraw of an anonymous reply ``text`` starts with
    the reply's code, which :mod:`bot.rounds.replies` takes off."""

    number: int | None
    action: AnswerAction
    text: str


@dataclass(frozen=True, slots=True)
class ListHolidays:
    pass


@dataclass(frozen=True, slots=True)
class AddHoliday:
    """``vakantie toevoegen Kerstvakantie 19-12-2026 t/m 3-1-2027``: ``text`` is the
    name and the days as typed, read with today's date known (bot.when)."""

    text: str


RoundCommand = (
    NewRound
    | EditRound
    | ListRounds
    | ChangeRound
    | ShowAgenda
    | AnswerRound
    | ListHolidays
    | AddHoliday
)

ROUND_WORDS: dict[str, Language] = {"round": "en", "rounds": "en", "ronde": "nl", "rondes": "nl"}
ROUND_WORDS |= {"vraagronde": "nl", "whiteboard": "en"}
ANSWER_WORDS: dict[str, Language] = {"answer": "en", "reply": "en", "antwoord": "nl"}
ANSWER_WORDS |= {"antwoorden": "nl", "reageer": "nl"}
HOLIDAY_WORDS: dict[str, Language] = {"holiday": "en", "holidays": "en", "vakantie": "nl"}
HOLIDAY_WORDS |= {"vakanties": "nl"}

_ROUND_SUBCOMMANDS: dict[str, tuple[str, Language | None]] = {
    "new": ("new", "en"),
    "create": ("new", "en"),
    "start": ("new", None),
    "nieuw": ("new", "nl"),
    "nieuwe": ("new", "nl"),
    "maak": ("new", "nl"),
    # The form lives on Slack and Teams (their adapters open it); elsewhere: how to type it.
    "form": ("new", "en"),
    "formulier": ("new", "nl"),
    "list": ("list", "en"),
    "lijst": ("list", "nl"),
    "overzicht": ("list", "nl"),
    "edit": ("edit", "en"),
    "change": ("edit", "en"),
    "wijzig": ("edit", "nl"),
    "bewerk": ("edit", "nl"),
    "pause": ("pause", "en"),
    "pauzeer": ("pause", "nl"),
    "pauze": ("pause", "nl"),
    "resume": ("resume", "en"),
    "continue": ("resume", "en"),
    "hervat": ("resume", "nl"),
    "cancel": ("cancel", "en"),
    "stop": ("cancel", None),
    "annuleer": ("cancel", "nl"),
    "agenda": ("agenda", None),
}
_ANSWER_SUBCOMMANDS: dict[str, tuple[AnswerAction, Language]] = {
    "edit": ("edit", "en"),
    "change": ("edit", "en"),
    "wijzig": ("edit", "nl"),
    "bewerk": ("edit", "nl"),
    "withdraw": ("withdraw", "en"),
    "delete": ("withdraw", "en"),
    "remove": ("withdraw", "en"),
    "intrekken": ("withdraw", "nl"),
    "intrek": ("withdraw", "nl"),
    "verwijder": ("withdraw", "nl"),
}
_CLOSING_WORDS = {"closes", "close", "closing", "until", "deadline"}
_CLOSING_WORDS |= {"sluit", "sluiting", "sluiten", "tot", "einde"}
_ANONYMOUS = {"anonymous", "anonymously", "anon", "anoniem", "anonieme"}
_NAMED = {"named", "not anonymous", "with names", "niet anoniem", "met naam", "met namen"}
_CHANNEL = re.compile(r"#([\w\-]+)")
_NUMBER = re.compile(r"^#?(\d{1,9})$")


def parse_round(rest: str) -> tuple[RoundCommand, Language | None]:
    """``rest`` is everything after ``round``/``ronde``."""
    word, _, tail = rest.strip().partition(" ")
    sub, language = _ROUND_SUBCOMMANDS.get(word.lower(), ("", None))
    tail = tail.strip()
    match sub:
        case "new":
            name, pipe, parts = tail.partition("|")
            return NewRound(name.strip(), read_parts(parts), has_parts=bool(pipe)), language
        case "edit":
            number, parts = _number(tail)
            # Without pipes the rest is one part: "round edit 3 closes friday 17:00".
            parts = re.sub(r"^(question|vraag)\s*:?\s+", "", parts.strip(), flags=re.I)
            return EditRound(number, read_parts(parts)), language
        case "pause" | "resume" | "cancel":
            return ChangeRound(_number(tail)[0], sub), language
        case "agenda":
            return ShowAgenda(_number(tail)[0]), language
        case "list" | "":
            return ListRounds(), language if word else None
    return ListRounds(), None


def parse_answer(rest: str) -> AnswerRound:
    """``answer 3 text``, ``answer 3 edit text``, ``antwoord 3 intrekken``; the round
    number may be left out when only one round is open."""
    number, tail = _number(rest.strip())
    word, _, after = tail.partition(" ")
    if word.lower() in _ANSWER_SUBCOMMANDS:
        action, _ = _ANSWER_SUBCOMMANDS[word.lower()]
        return AnswerRound(number, action, after.strip())
    return AnswerRound(number, "add", tail.strip())


def parse_holiday(rest: str) -> ListHolidays | AddHoliday:
    """``holiday add Kerstvakantie 2026-12-19 2027-01-03``; ``holiday list``."""
    word, _, tail = rest.strip().partition(" ")
    if word.lower() not in {"add", "new", "toevoegen", "nieuw", "nieuwe"}:
        return ListHolidays()
    return AddHoliday(" ".join(tail.split()))


def read_parts(text: str) -> RoundDraft:
    """Sort the ``|`` parts by shape; see the module docstring."""
    question: list[str] = []
    channels: list[str] = []
    recurrence: Recurrence | None = None
    closing: Closing | None = None
    anonymous: bool | None = None
    bad_schedule = bad_closing = None
    for raw in text.split("|"):
        part = " ".join(raw.split())
        lowered = part.lower().rstrip(".")
        first, _, after = lowered.partition(" ")
        if not part:
            continue
        if lowered in _ANONYMOUS:
            anonymous = True
        elif lowered in _NAMED:
            anonymous = False
        elif all(token.startswith("#") for token in part.split()):
            channels.extend(_CHANNEL.findall(part))
        elif first in _CLOSING_WORDS:
            closing = parse_closing(after)
            bad_closing = None if closing else part
        elif (parsed := parse_recurrence(part)) is not None:
            recurrence = parsed
        else:
            question.append(part)
    # Of the parts left, a question mark marks the question; a short part that reads
    # like a schedule but is not one is a schedule the lead mistyped.
    questions = [q for q in question if q.endswith("?")] or question[:1]
    extra = [q for q in question if q not in questions]
    if len(questions) == 1 and looks_like_schedule(questions[0]) and recurrence is None:
        extra.append(questions.pop())
    for part in list(extra):
        if looks_like_schedule(part) and bad_schedule is None:
            bad_schedule = part
            extra.remove(part)
    return RoundDraft(
        question=questions[0] if questions else None,
        channels=tuple(dict.fromkeys(channels)),
        recurrence=recurrence,
        closing=closing,
        anonymous=anonymous,
        bad_schedule=bad_schedule,
        bad_closing=bad_closing,
        extra=tuple(extra + questions[1:]),
    )


def _number(text: str) -> tuple[int | None, str]:
    word, _, rest = text.strip().partition(" ")
    match = _NUMBER.match(word)
    if match is None:
        return None, text.strip()
    return int(match.group(1)), rest.strip()
