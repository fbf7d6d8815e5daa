"""Recurring themes and open questions in a round's replies, deterministically.

A theme is a content word that at least two replies share. Words are compared by a
key: lower case, accents folded, then a light Dutch/English plural strip (``-en``,
``-s``, a final ``-e``, repeated while one applies), so "leerlingen"/"leerling",
"toetsen"/"toets" and "pupils"/"pupil" meet.
Stop words (Dutch and English function words and chat filler), words shorter than four
letters, and the words of the question itself (the topic, not a theme) never count.
Replies that share the same set of theme words make one theme ("homework, missed").
No statistics, no model: the same replies always give the same agenda.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_QUESTION = re.compile(r"[^.!?\n]*\?")
MIN_LETTERS = 4

_STOPWORD_TEXT = """
    aan achter alle alleen alles als altijd andere anders baar beetje best bij binnen
    daar daarom dan dat deze die dit doen door echt eens eigenlijk elke en enkele er
    erg even geen gewoon graag haar heb hebben heeft hem hen het hier hij hoe hun iets
    ik in is ja je jij jou jullie kan komen kunnen laat later maar meer men met mij
    mijn misschien moet moeten mogen naar niet niets nog nooit nou nu of ofwel om omdat
    ons onze ook over paar per soms te tegen toch toen tot uit van veel voor vooral
    waar waarom wanneer want was wat we weer wel welke werd werden wie wij wil worden
    wordt zal ze zelf zich zij zijn zo zoals zonder zou zouden zullen denk denken vind
    vinden volgens eerder beter vaak gaan gaat krijgen krijgt hele heel welk elkaar
    about above after again against also although always among another anything
    because been before being below between both cannot could does doing down during
    each either enough even every from further have having here however into itself
    just less like maybe more most much must never often only other others otherwise
    ourselves over perhaps quite rather really same seem seems should since some
    something still such than that their them then there these they thing things
    think this those though through thus together under until very want well were
    what when where whether which while whom whose will with within without would
    your yours could maybe much many make makes made lot lots get gets got
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True, slots=True)
class Theme:
    """A recurring theme: its words and the (1-based) numbers of the replies."""

    words: tuple[str, ...]
    replies: tuple[int, ...]

    @property
    def label(self) -> str:
        return ", ".join(self.words)


def word_key(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word.lower())
    key = "".join(c for c in folded if not unicodedata.combining(c))
    # Strip until nothing changes, so "toetsen" -> "toets" -> "toet" meets "toets".
    while True:
        plural_s = key.endswith("s") and not key.endswith("ss") and len(key) >= 5
        final_e = key.endswith("e") and len(key) >= 6
        if key.endswith("en") and len(key) >= 6:
            stripped = key[:-2]
        else:
            stripped = key[:-1] if plural_s or final_e else key
        if stripped == key:
            return key
        key = stripped


def _content(text: str) -> list[tuple[str, str]]:
    """(key, surface form) of each content word."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group(0).lower()
        if len(word) < MIN_LETTERS or word in STOPWORDS:
            continue
        found.append((word_key(word), word))
    return found


def recurring_themes(replies: Sequence[str], *, question: str = "", limit: int = 5) -> list[Theme]:
    """Themes shared by two or more replies, most shared first (then alphabetical)."""
    topic = {key for key, _ in _content(question)}
    where: defaultdict[str, set[int]] = defaultdict(set)
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for number, reply in enumerate(replies, start=1):
        for key, form in _content(reply):
            if key in topic:
                continue
            where[key].add(number)
            forms[key][form] += 1
    shared = [key for key, numbers in where.items() if len(numbers) >= 2]

    def label(key: str) -> str:
        # The form used most, then the shortest, then the first alphabetically.
        return min(forms[key].items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]

    shared.sort(key=lambda key: (-len(where[key]), label(key)))
    themes: list[Theme] = []
    by_replies: dict[tuple[int, ...], int] = {}
    for key in shared:
        numbers = tuple(sorted(where[key]))
        if numbers in by_replies:
            index = by_replies[numbers]
            themes[index] = Theme((*themes[index].words, label(key)), numbers)
            continue
        if len(themes) == limit:
            continue
        by_replies[numbers] = len(themes)
        themes.append(Theme((label(key),), numbers))
    return themes


def reply_questions(replies: Sequence[str], *, limit: int = 5) -> list[str]:
    """The questions colleagues asked in their replies, once each, in order."""
    seen: set[str] = set()
    found: list[str] = []
    for reply in replies:
        for match in _QUESTION.finditer(reply):
            sentence = " ".join(match.group(0).split())
            if len(sentence) < 8 or sentence.lower() in seen:
                continue
            seen.add(sentence.lower())
            found.append(sentence)
    return found[:limit]
