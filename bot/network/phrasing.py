"""How teachers say that they talked about a PLG, in Dutch and English, as they type it
between lessons: any form of the verb (vertel, vertelt, verteld, vertelde), a slip of a
letter (vertelt for verteld, gepraad), the verb anywhere in the sentence ("Ik heb
vandaag met Bram over de toets gesproken"), the subject left out ("heb met Bram
gepraat"). Which colleague is meant is found elsewhere (bot.network.names); this module
reads only the verb and which way the knowledge went."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.catalogue import Language
from bot.network.interactions import Origin

# Every form a teacher writes, by what it says about the direction.
_TOLD_NL = (
    "vertel vertelt verteld vertelde vertelden uitgelegd uitleggen legde gedeeld deelde "
    "deelden delen getoond toonde doorgegeven gaf gemaild geappt gestuurd laten liet "
    "meegegeven aangeraden voorgesteld gepresenteerd bijgepraat ingelicht geïnformeerd "
    "geinformeerd gewezen"
)
_HEARD_NL = "gehoord hoorde hoorden horen geleerd gekregen"
_DISCUSSED_NL = (
    "besproken bespraken gesproken sprak spraken gepraat praatte praatten praten "
    "overlegd overlegde overleggen gekletst kletste gesprek gesprekje gebeld belde "
    "afgestemd gediscussieerd doorgenomen doorgesproken uitgewisseld gebrainstormd"
)
_TOLD_EN = (
    "told tell tells telling explained explain explaining showed shown show showing "
    "shared share sharing presented passed emailed texted sent informed updated briefed "
    "gave pointed"
)
_HEARD_EN = "heard hear hearing learned learnt"
_DISCUSSED_EN = (
    "discussed discuss discussing talked talk talking spoke spoken speak chatted chat "
    "chatting conversation called exchanged brainstormed meeting caught went met"
)


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list, for the tables below."""
    return frozenset(text.split())


def _table() -> dict[str, tuple[Origin, Language]]:
    table: dict[str, tuple[Origin, Language]] = {}
    groups: tuple[tuple[str, Origin, Language], ...] = (
        (_TOLD_NL, Origin.TOLD, "nl"),
        (_HEARD_NL, Origin.HEARD, "nl"),
        (_DISCUSSED_NL, Origin.DISCUSSED, "nl"),
        (_TOLD_EN, Origin.TOLD, "en"),
        (_HEARD_EN, Origin.HEARD, "en"),
        (_DISCUSSED_EN, Origin.DISCUSSED, "en"),
    )
    for words, origin, language in groups:
        for word in words.split():
            table[word] = (origin, language)
    return table


VERBS = _table()
# Finite forms: the word before them is their subject ("Lisa vertelde", "dirk legde
# uit"): a colleague there told the writer. A participle ("Yvonne verteld over …") is
# the writer's own short note: "(I) told Yvonne". English past forms are both, so a
# colleague before them is their subject too, unless "I" or "we" comes first.
FINITE_NL = word_set(
    "vertelt vertelde vertelden legde deelde deelden toonde liet gaf hoorde hoorden"
)
# "We hebben het over de toets gehad": talking about something.
_HAD = frozenset({"gehad", "hadden", "had"})
# Intentions are no conversation yet: "ik ga morgen met Bram praten", "I will tell".
_INTENT = word_set(
    "ga gaat gaan wil wilt willen moet moeten zal zullen zou will want wants going "
    "gonna should must plan planning would"
)
_WRITER = frozenset({"ik", "i", "we", "wij", "me", "mij"})
# A verb form that needs a companion word to mean telling: "laten zien", "liet zien",
# "gaf door", "legde uit"; alone they mean something else.
_NEEDS = {
    "laten": "zien",
    "liet": "zien",
    "gaf": "door",
    "legde": "uit",
    "passed": "on",
    "caught": "up",
    "went": "through",
    "met": "with",
    "pointed": "to",
}
# Words a slipped verb is never read from (they are close to a verb but mean other
# things: "vertaald" is translated, "gesprekken" is fine but plural).
_NOT_VERBS = word_set(
    "vertaald vertaalt verteerd verdeeld verdeelt gespeeld gesprongen gebracht gekocht "
    "getest gemaakt gehaald gesteld geteld telt tel later talen toen shower showers "
    "heart heater tall tale"
)
# "me"/"mij" near a telling verb turns it around: "Bram vertelde me", "told me", "shared
# it with me"; "ons"/"us" only right next to it ("heeft ons verteld", "told us"), since
# "ons datateam" is our data team.
_ME = frozenset({"me", "mij"})
_US = frozenset({"ons", "us"})
# "van" before a colleague with a telling verb: "van Bram uitgelegd gekregen".
_FROM = frozenset({"van", "from", "by", "door"})
_TO = frozenset({"aan", "to", "tegen", "with", "met"})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# Slips are read only from words this long; a short word is too easily another word.
_SLIP_LENGTH = 5
_SLIP_CUTOFF = 0.84
# How far into a message the verb is looked for.
MAX_WORDS = 40


@dataclass(frozen=True, slots=True)
class Said:
    """A conversation as the message tells it: which way the knowledge went, in which
    language the verb is, and the verb's place among the message's words."""

    origin: Origin
    language: Language
    at: int
    verb: str
    # Where the verb starts in the text, in characters.
    start: int = 0

    @property
    def finite(self) -> bool:
        return self.verb in FINITE_NL or (self.language == "en" and self.origin is Origin.TOLD)


def words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


# In a PLG channel, where talk counts by itself (mentions, thread replies), only a
# message that starts like a command is one: "verteld @bram …", "ik heb @bram verteld".
_COMMAND_VERBS = word_set(
    "told tell shared verteld vertelde gedeeld heard gehoord hoorde discussed talked "
    "besproken gesproken"
)
_LEADING = word_set("i ik heb have just net zojuist already al me mij heeft has met van")


def starts_as_command(text: str) -> bool:
    """Whether a message starts with a logging verb, after only small words."""
    for word in words_of(text)[:6]:
        if word in _COMMAND_VERBS:
            return True
        if word not in _LEADING:
            return False
    return False


def verb_of(word: str) -> tuple[Origin, Language] | None:
    """The verb a word is, spelled right or with a slip of a letter."""
    if word in VERBS:
        return VERBS[word]
    if len(word) < _SLIP_LENGTH or word in _NOT_VERBS:
        return None
    close = difflib.get_close_matches(word, list(VERBS), n=1, cutoff=_SLIP_CUTOFF)
    return VERBS[close[0]] if close else None


def read_said(text: str) -> Said | None:
    """The conversation a message reports, or None when it reports none."""
    matches = list(_WORD.finditer(text))[:MAX_WORDS]
    words = [m.group().lower() for m in matches]
    for i, word in enumerate(words):
        found = verb_of(word)
        if found is None and word in _HAD and "over" in words and "het" in words[:i]:
            found = (Origin.DISCUSSED, "nl")
        if found is None:
            continue
        companion = _NEEDS.get(word)
        if companion is not None and companion not in words[i + 1 : i + 6]:
            continue
        if any(w in _INTENT or w.endswith(("'ll", "’ll")) for w in words[max(0, i - 5) : i]):
            return None
        origin, language = found
        if origin is Origin.TOLD and _told_to_me(words, i):
            origin = Origin.HEARD
        return Said(origin, language, i, word, matches[i].start())
    return None


def subject_told(said: Said, words: list[str], named_first: bool) -> Origin:
    """``Lisa vertelde …``, ``Fatima explained their approach``: with a colleague named
    first in the message, before a finite telling verb, and no "ik"/"I" before that
    verb, the colleague told the writer. ``named_first``: the message starts with a
    colleague (a name or a mention)."""
    if said.origin is not Origin.TOLD or not said.finite or not named_first:
        return said.origin
    if any(w in _WRITER for w in words[: said.at]):
        return said.origin
    return Origin.HEARD


def _told_to_me(words: list[str], at: int) -> bool:
    """``Bram vertelde me``, ``Bram heeft mij uitgelegd``, ``told me``, ``van Bram
    uitgelegd gekregen``: the knowledge came to the writer."""
    if words[at + 1 : at + 2] in (["by"], ["door"]):
        # "told by Bram", "uitgelegd door Bram".
        return True
    near = words[max(0, at - 3) : at + 7]
    if any(w in _ME for w in near) or any(w in _US for w in words[max(0, at - 1) : at + 2]):
        return True
    if "gekregen" in words[at : at + 4] or "kreeg" in words:
        return True
    before = words[:at]
    return bool(before) and before[0] in _FROM and not any(w in _TO for w in before)
