"""Who took part in a digest's week, overall and per role or department, without ever
showing a group small enough to point at a person (design.md, "Privacy").

A role or department with fewer than ``MIN_GROUP`` staff is never shown apart but
merged into "other roles"/"other departments"; if that merged group is still too small,
the smallest shown groups join it. Kept apart from :mod:`bot.digest.weekly` so that this rule
has one home and can be tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from storage.digests import GroupCount

# Groups smaller than this are never shown apart (design.md, Privacy).
MIN_GROUP = 5


@dataclass(frozen=True, slots=True)
class GroupShare:
    """Staff of one role or department and how many took part; ``name`` None is the
    merged group of everyone in groups too small to show apart."""

    name: str | None
    staff: int
    active: int


# Years in education, as the school article's "hoe divers is deze groep qua ervaring"
# asks: starters, the middle group, the experienced. Keys of ``digest.experience_*``.
EXPERIENCE_BANDS = ((5, "starter"), (15, "middle"))
EXPERIENCED = "experienced"


def experience_band(career_start: int | None, year: int) -> str | None:
    """The band of someone who started in education in ``career_start``, in ``year``
    (None when the roster did not say)."""
    if career_start is None or career_start > year:
        return None
    years = year - career_start
    return next((band for limit, band in EXPERIENCE_BANDS if years < limit), EXPERIENCED)


def rate(part: int, whole: int) -> float:
    """``part`` as a share of ``whole`` (0 when there is no whole)."""
    return part / whole if whole else 0.0


def merge_small(groups: Iterable[GroupShare], minimum: int = MIN_GROUP) -> tuple[GroupShare, ...]:
    """Groups of at least ``minimum`` staff, largest first, plus one merged group
    (``name`` None) of the rest. If the merged group would still be smaller than
    ``minimum``, the smallest shown groups join it; if that leaves a single group,
    no breakdown is shown at all (it would only repeat the total)."""
    groups = list(groups)
    shown = sorted(
        (g for g in groups if g.staff >= minimum and g.name is not None),
        key=lambda g: (-g.staff, g.name or ""),
    )
    rest = [g for g in groups if g not in shown]
    other_staff = sum(g.staff for g in rest)
    other_active = sum(g.active for g in rest)
    while 0 < other_staff < minimum and shown:
        smallest = shown.pop()
        other_staff += smallest.staff
        other_active += smallest.active
    result = list(shown)
    if other_staff:
        result.append(GroupShare(None, other_staff, other_active))
    return tuple(result) if len(result) > 1 else ()


def group_shares(
    groups: Sequence[GroupCount], key: Callable[[GroupCount], str | None]
) -> list[GroupShare]:
    """Group counts added up per role or per department (``key`` picks which)."""
    totals: dict[str | None, list[int]] = {}
    for g in groups:
        name = key(g)
        entry = totals.setdefault(name or None, [0, 0])
        entry[0] += g.staff
        entry[1] += g.active
    return [GroupShare(name, staff, active) for name, (staff, active) in totals.items()]
