"""The sentences the school digest and the board digest share: percentages, dates,
comparisons with last week, participation, the knowledge-type balance and nudges.

One home for them so the two digests word the same number the same way; every text
comes from the catalogue (``digest.*`` keys).
"""

from __future__ import annotations

from datetime import date

from bot.catalogue import Language, text
from bot.digest.balance import Balance
from bot.digest.base import Base
from bot.digest.document import Section
from bot.digest.participation import rate
from bot.knowledge.types import ALL_TYPES


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percentage (0 when there is no whole)."""
    return round(100 * rate(part, whole))


def date_text(language: Language, day: date) -> str:
    """A date as people write it: 16-11-2026 in Dutch, 2026-11-16 in English."""
    return day.strftime("%d-%m-%Y") if language == "nl" else day.isoformat()


def phrase(language: Language, key: str, **values: object) -> str:
    """The catalogue text ``digest.<key>`` in ``language``, filled with ``values``."""
    return text(language, f"digest.{key}", **values)


# A share of fewer items than this is shown as its counts ("3 of 5"): "100% focus" from
# one message says more than it knows.
SMALL = 10


def share(language: Language, part: int, whole: int) -> str:
    """``part`` of ``whole`` as people should read it: ``45%``, or ``3 of 5`` when
    ``whole`` is too small for a percentage to mean much."""
    if whole < SMALL:
        return phrase(language, "count_of", part=part, whole=whole)
    return f"{percent(part, whole)}%"


def base_text(language: Language, base: Base | None) -> str:
    """What a week is compared with, in words ("last week", "at this point in week 43
    (the last school week)")."""
    if base is None:
        return phrase(language, "base_previous")
    key = "base_last_week" if base.last_week else "base_school_week"
    return phrase(language, f"{key}_so_far" if base.so_far else key, week=base.week.week)


def comparison(
    language: Language, part: int, whole: int, previous: tuple[int, int] | None, base: str
) -> str:
    """How ``part`` of ``whole`` compares with the base week's ``previous`` (part,
    whole); None or an empty base: nothing to compare with."""
    if previous is None or not previous[1]:
        return phrase(language, "first")
    now, then = percent(part, whole), percent(*previous)
    shown = share(language, *previous)
    if now > then:
        return phrase(language, "up", previous=shown, base=base)
    if now < then:
        return phrase(language, "down", previous=shown, base=base)
    return phrase(language, "same", base=base)


def participation_sentence(
    language: Language, active: int, staff: int, previous: tuple[int, int] | None, base: str
) -> str:
    """Who took part, of all staff, against the base week (``previous``: its active
    and staff counts, None when there is no base)."""
    return phrase(
        language, "participation", active=active, staff=staff, percent=percent(active, staff)
    ) + comparison(language, active, staff, previous, base)


def balance_section(language: Language, trend: tuple[Balance, ...]) -> Section:
    """What was shared: each type's share this week, results against the weeks
    before, and advice when results dominate."""
    title = phrase(language, "balance_title")
    week = trend[-1]
    # A count, not a share: "3 of 12" says how much rests on it.
    unfiled = (
        (phrase(language, "without_plg", count=week.without_plg, total=week.interactions),)
        if week.without_plg
        else ()
    )
    if not week.typed:
        return Section(title, (phrase(language, "balance_none"), *unfiled))
    counts = {kind.names[0]: count for kind, count in zip(ALL_TYPES, week.counts, strict=True)}
    shares = {name: percent(count, week.typed) for name, count in counts.items()}
    if week.typed < SMALL:
        paragraphs = [phrase(language, "balance_counts", total=week.typed, **counts)]
    else:
        paragraphs = [phrase(language, "balance", **shares)]
    before = trend[:-1]
    typed_before = sum(b.typed for b in before)
    if typed_before:
        now = share(language, counts["outcomes"], week.typed)
        then = share(language, sum(b.counts[2] for b in before), typed_before)
        paragraphs.append(phrase(language, "balance_trend", now=now, then=then, weeks=len(before)))
    others = (shares["focus"], shares["process"], shares["benefits"])
    if shares["outcomes"] > max(others):
        paragraphs.append(phrase(language, "balance_advice"))
    return Section(title, (*paragraphs, *unfiled))


def nudges_section(language: Language, sent: int, followed: int) -> Section:
    """Tips sent and followed up in the week."""
    title = phrase(language, "nudges_title")
    if not sent and not followed:
        return Section(title, (phrase(language, "nudges_none"),))
    return Section(title, (phrase(language, "nudges", sent=sent, followed=followed),))
