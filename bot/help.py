"""Help as people ask for it: short by default, a topic when asked (``hulp rondes``),
everything with ``hulp alles``; and one short line for a message that is no command:
the command closest to what was typed, with an example filled in from it, never the
whole help."""

from __future__ import annotations

import difflib
import re

from bot.catalogue import Language, text
from bot.messages import Bullets, OutboundMessage, Paragraph
from bot.network.names import named_in
from bot.network.phrasing import word_set, words_of
from bot.staff.coordinators import notice as coordinator_notice
from bot.turn import Context, Turn
from storage import directory

TOPICS = ("conversations", "plgs", "rounds", "privacy", "coordinators", "language")
ALL = "all"
_GREETINGS = word_set(
    "hallo hoi hey hee hi hello hiya goedemorgen goedemiddag goedenavond morgen middag "
    "dag daag yo moi morning afternoon evening"
)
# What a word points at, when the message is no command: the command to suggest.
_HINTS: tuple[tuple[frozenset[str], dict[Language, str]], ...] = (
    (
        word_set("netwerk network contacten ties contacts banden"),
        {"nl": "mijn netwerk", "en": "my network"},
    ),
    (
        word_set("antwoord antwoorden answer reply beantwoorden"),
        {"nl": "antwoord 1 …", "en": "answer 1 …"},
    ),
    (
        word_set("ronde rondes round rounds vraag vragen question questions whiteboard"),
        {"nl": "ronde lijst", "en": "round list"},
    ),
    (
        word_set("vakantie vakanties holiday holidays"),
        {"nl": "vakantie lijst", "en": "holiday list"},
    ),
    (
        word_set("privacy gegevens avg gdpr afmelden uitschrijven"),
        {"nl": "privacy", "en": "privacy"},
    ),
    (
        word_set("taal language engels english nederlands dutch"),
        {"nl": "taal en", "en": "language nl"},
    ),
    (word_set("dashboard"), {"nl": "dashboard", "en": "dashboard"}),
    (
        word_set("overzicht digest weekoverzicht"),
        {"nl": "overzicht", "en": "digest"},
    ),
    (word_set("tips tip"), {"nl": "geen tips", "en": "stop tips"}),
    (
        word_set("plg plgs pld datateam lessonstudy leerteam"),
        {"nl": "plg lijst", "en": "plg list"},
    ),
)
_COMMAND_WORDS = {word: hint for words, hint in _HINTS for word in words}


def lines(language: Language, topic: str) -> tuple[str, ...]:
    return tuple(line for line in text(language, f"help.{topic}").splitlines() if line.strip())


def all_commands(language: Language) -> tuple[str, ...]:
    return tuple(line for topic in TOPICS for line in lines(language, topic))


def topic_of(words: list[str]) -> str | None:
    """The help topic the words after ``hulp`` ask for, in either language."""
    for word in words:
        for language in ("nl", "en"):
            groups = text(language, "help.topic_words").split("|")
            for topic, group in zip((*TOPICS, ALL), groups, strict=True):
                if word.lower() in group.split():
                    return topic
    return None


def help_message(
    turn: Context, *, topic: str | None = None, notice: Paragraph | None = None
) -> OutboundMessage:
    title = Paragraph(turn.t("help.title"))
    extra = (notice,) if notice else ()
    if topic == ALL:
        commands = all_commands(turn.language)
        return turn.reply(title, Bullets(commands), Paragraph(turn.t("help.tip")), *extra)
    if topic in TOPICS:
        tip = (Paragraph(turn.t("help.tip")),) if topic == "conversations" else ()
        return turn.reply(Bullets(lines(turn.language, topic)), *tip, *extra)
    shown = lines(turn.language, "short")
    return turn.reply(title, Bullets(shown), Paragraph(turn.t("help.topics")), *extra)


async def show_help(turn: Turn, topic: str | None = None) -> list[OutboundMessage]:
    return [help_message(turn, topic=topic, notice=await coordinator_notice(turn))]


async def not_understood(turn: Turn) -> list[OutboundMessage]:
    """One short line: a greeting answered, or the closest command with an example."""
    words = words_of(turn.event.text)
    if not words:
        # Only a mention of plgbot (or nothing at all): what it can do, short.
        return await show_help(turn)
    language = turn.language
    colleague = await _a_colleague(turn)
    log_example = text(language, "help.log_example", name=colleague)
    if words and all(w in _GREETINGS or w == "plgbot" for w in words):
        first = turn.author.display_name.split(" ")[0]
        return [turn.say("help.greeting", name=first, example=log_example)]
    hint = _hint(words)
    if hint is not None:
        return [turn.say("help.not_understood", example=hint[language])]
    return [turn.say("help.not_understood_log", example=log_example)]


def _hint(words: list[str]) -> dict[Language, str] | None:
    for word in words:
        if word in _COMMAND_WORDS:
            return _COMMAND_WORDS[word]
    for word in words:
        if len(word) >= 5:
            close = difflib.get_close_matches(word, list(_COMMAND_WORDS), n=1, cutoff=0.8)
            if close:
                return _COMMAND_WORDS[close[0]]
    return None


async def _a_colleague(turn: Turn) -> str:
    """A colleague's handle for the example: one the message named, else "bram"."""
    people = await directory.people_of_school(turn.session, turn.school.id)
    named = named_in(turn.event.text, people, author_id=turn.author.id)
    if named.found:
        person = named.found[0]
        return person.handle or re.sub(r"\W", "", person.display_name.split(" ")[0].lower())
    return "bram"
