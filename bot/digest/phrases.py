"""The sentences the school digest and the board digest share: percentages, dates,
comparisons with last week, participation, the knowledge-type balance and nudges.

One home for them so the two digests word the same number the same way; every text
comes from the catalogue (``digest.*`` keys).
"""

from __future__ import annotations

from datetime import date

from bot.catalogue import Language, text
from bot.digest.balance import Balance
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


def comparison(language: Language, now: int, previous: int | None) -> str:
    """How a percentage compares with last week's (``previous`` None: no last week)."""
    if previous is None:
        return phrase(language, "first")
    if now > previous:
        return phrase(language, "up", previous=previous)
    if now < previous:
        return phrase(language, "down", previous=previous)
    return phrase(language, "same")


def participation_sentence(
    language: Language, active: int, staff: int, p_active: int, p_staff: int
) -> str:
    """Who took part, of all staff, against last week (``p_*``: last week's counts)."""
    now = percent(active, staff)
    previous = percent(p_active, p_staff) if p_staff else None
    return phrase(language, "participation", active=active, staff=staff, percent=now) + comparison(
        language, now, previous
    )


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
    shares = {
        kind.names[0]: percent(count, week.typed)
        for kind, count in zip(ALL_TYPES, week.counts, strict=True)
    }
    paragraphs = [phrase(language, "balance", **shares)]
    before = trend[:-1]
    typed_before = sum(b.typed for b in before)
    if typed_before:
        then = percent(sum(b.counts[2] for b in before), typed_before)
        paragraphs.append(
            phrase(language, "balance_trend", now=shares["outcomes"], then=then, weeks=len(before))
        )
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
