"""Colleagues named without @, as people type them: a full name, a first name or a
handle, in any case, with or without diacritics ("verteld aan naima", "met Jose
Álvarez gesproken"). A name that fits two colleagues is unsure (asked with buttons);
a word where a name belongs that fits nobody gets the closest names as suggestions.
Nothing here stores anything."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.network.phrasing import VERBS, word_set
from storage.directory import name_key
from storage.models import Person

# The longest full name looked for, in words ("Anne-Marie van der Berg" is four).
_LONGEST = 5
# Words that stand where a name is expected, in both languages.
_BEFORE_NAME = frozenset({"met", "aan", "van", "with", "to", "from", "tegen", "en", "and"})
_AND = frozenset({"en", "and"})
# Words that are no name, however a colleague may be called: every verb form plgbot
# reads and the small words of a sentence.
_NOT_NAMES = frozenset(VERBS) | word_set(
    "ik jij je u hij zij ze we wij jullie mij me mijn ons onze hem haar hen hun het de "
    "een dat die dit deze wat wie waar hoe over op in aan van met voor na bij uit om tot "
    "en of maar ook nog al net zojuist vandaag gisteren morgen vanochtend vanmiddag heb "
    "hebt heeft hebben had was is zijn ben wordt werd i you he she they my our him her "
    "them it the a an that this what who how about on at to from with for after and or "
    "but also just today yesterday have has are been plg plgs team datateam collega "
    "collegas colleague colleagues iedereen everyone sectie afdeling les klas leerlingen "
    "toets resultaten gehad gekregen kreeg gedaan gezegd gezien gevonden gevraagd "
    "geleerd gemeten gewerkt gekeken even kort lang goed leuk fijn echt heel erg veel "
    "weinig meer minder samen allemaal elkaar alles niets iets niet wel geen dan toen "
    "als omdat zodat want dus nu hier daar er ze zo nou hoor hè ja nee oké ok "
    "onderzoek data aanpak focus meerwaarde organisatie proces vraag antwoord ronde "
    "pauze koffie vergadering overleg studiedag lessen toetsen cijfers analyse rubric "
    "enquête survey break coffee meeting lesson lessons class pupils students data "
    "results approach benefits focus process question answer round it's its we're "
    "had got did said saw found asked learnt learned worked looked really very much "
    "more less together all each other everything nothing something not no yes okay "
    "then when because so now here there "
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart "
    "april mei juni juli augustus september oktober november december monday tuesday "
    "wednesday thursday friday saturday sunday january february march june july august "
    "october magister teams slack zoom havo vwo vmbo mavo atheneum gymnasium"
)
_WORD = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)
SUGGESTIONS = 3
_SUGGEST_CUTOFF = 0.6


@dataclass(frozen=True, slots=True)
class Unclear:
    """A typed name plgbot cannot settle alone: ``people`` it could mean (two or more
    that fit, or the closest names to one that fits nobody; maybe none)."""

    typed: str
    people: tuple[Person, ...]
    known: bool  # True: several colleagues have this name; False: nobody has it


@dataclass(slots=True)
class Named:
    found: list[Person] = field(default_factory=list)
    unclear: list[Unclear] = field(default_factory=list)
    # Where the first name found starts in the text, in characters.
    first_start: int | None = None


def named_in(text: str, people: Sequence[Person], *, author_id: int) -> Named:
    """The colleagues ``text`` names, in the order named, each once."""
    others = [p for p in people if p.id != author_id and not p.withdrawn]
    full: dict[tuple[str, ...], list[Person]] = {}
    first: dict[str, list[Person]] = {}
    surnames: dict[tuple[str, ...], list[Person]] = {}
    for person in others:
        key = tuple(name_key(person.display_name).replace("-", " ").split())
        if not key:
            continue
        full.setdefault(key, []).append(person)
        first.setdefault(key[0], []).append(person)
        if len(key) > 1:
            # The surname alone ("Jansen", "van Dijk"), when written with a capital.
            surnames.setdefault(key[1:], []).append(person)
        if person.handle and name_key(person.handle) != key[0]:
            first.setdefault(name_key(person.handle), []).append(person)
    matches = list(_WORD.finditer(text))
    typed = [m.group() for m in matches]
    keys = [name_key(w).replace("-", " ") for w in typed]
    named = Named()
    seen: set[int] = set()
    # The last word of every name found, for names listed with "en"/"and".
    ends: set[int] = set()
    i = 0
    while i < len(keys):
        for length in range(min(_LONGEST, len(keys) - i), 1, -1):
            fits = full.get(tuple(" ".join(keys[i : i + length]).split()))
            if fits:
                _add(named, seen, " ".join(typed[i : i + length]), fits)
                named.first_start = _first(named.first_start, matches[i].start())
                ends.add(i + length - 1)
                i += length
                break
        else:
            word = keys[i]
            fits = first.get(word, []) if word not in _NOT_NAMES else []
            if not fits and typed[i][:1].isupper():
                fits, length = _surname(surnames, keys, i)
                if fits:
                    _add(named, seen, " ".join(typed[i : i + length]), fits)
                    named.first_start = _first(named.first_start, matches[i].start())
                    ends.add(i + length - 1)
                    i += length
                    continue
            if fits:
                # "Tom V." or "Tom Verbeek": a surname after a shared first name settles it.
                following = keys[i + 1] if i + 1 < len(keys) else ""
                narrowed = [p for p in fits if following and _surname_starts(p, following)]
                _add(named, seen, typed[i], narrowed or fits)
                named.first_start = _first(named.first_start, matches[i].start())
                step = 2 if narrowed and len(narrowed) < len(fits) else 1
                ends.add(i + step - 1)
                i += step
                continue
            if _expects_name(keys, i):
                closest = _closest(word, others)
                # A capital says it is a name, and so does a place in a list of names
                # ("gerard en kees"); otherwise only a word close to a name is one.
                listed = keys[i - 1] in _AND and i - 2 in ends
                if typed[i][:1].isupper() or closest or listed:
                    named.unclear.append(Unclear(typed[i], closest, known=False))
            i += 1
    return named


def _first(known: int | None, start: int) -> int:
    return start if known is None else min(known, start)


def _add(named: Named, seen: set[int], typed: str, fits: Sequence[Person]) -> None:
    fresh = [p for p in fits if p.id not in seen]
    if len(fits) == 1:
        if fresh:
            named.found.append(fresh[0])
            seen.add(fresh[0].id)
    elif fresh:
        named.unclear.append(Unclear(typed, tuple(fits), known=True))


def _surname_starts(person: Person, word: str) -> bool:
    rest = name_key(person.display_name).split()[1:]
    return bool(rest) and any(part.startswith(word.rstrip(".")) for part in rest)


def _expects_name(keys: list[str], i: int) -> bool:
    """A word that fits nobody but stands where a colleague's name does: after "met",
    "aan", "with" or the verb, and no word of the sentence."""
    word = keys[i]
    if word in _NOT_NAMES or len(word) < 2 or i == 0:
        return False
    return keys[i - 1] in _BEFORE_NAME or keys[i - 1] in VERBS


def _surname(
    surnames: dict[tuple[str, ...], list[Person]], keys: list[str], i: int
) -> tuple[list[Person], int]:
    """The colleagues whose surname starts at word i ("van Dijk" is two words)."""
    for length in range(min(3, len(keys) - i), 0, -1):
        fits = surnames.get(tuple(" ".join(keys[i : i + length]).split()))
        if fits:
            return fits, length
    return [], 0


def _closest(word: str, people: Sequence[Person]) -> tuple[Person, ...]:
    by_key: dict[str, list[Person]] = {}
    for person in people:
        key = name_key(person.display_name)
        for option in {key, key.split(" ")[0], name_key(person.handle or "")}:
            if option:
                by_key.setdefault(option, []).append(person)
    close = difflib.get_close_matches(word, list(by_key), n=SUGGESTIONS, cutoff=_SUGGEST_CUTOFF)
    found: dict[int, Person] = {}
    for key in close:
        for person in by_key[key]:
            found.setdefault(person.id, person)
    return tuple(found.values())[:SUGGESTIONS]
