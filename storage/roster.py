"""The school's staff roster: who is staff, with role, department and start year.

A roster comes from a file (bot.staff.roster_file), from the platform's member list, or both
matched by e-mail. Applying it matches each entry to a person plgbot knows, by platform
id, then e-mail, then an unambiguous name; adds the rest; and, for a complete roster,
marks as leavers the people on the last roster who are missing now. Nothing is guessed:
an entry that fits two people, or one person that two entries fit, is reported and left
alone. A dry run reports the same and changes nothing.

Someone on the roster whom the platform has not shown yet is stored under a
placeholder id (``roster:<e-mail>``) and adopted by their platform id when their
profile, with that e-mail, first arrives (storage.directory.ensure_person).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.directory import PLACEHOLDER, free_handle, name_key
from storage.models import Person, School


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One staff member as a roster gives them; ``row`` is where (for the report)."""

    row: int
    name: str | None = None
    email: str | None = None
    platform_id: str | None = None
    role: str | None = None
    department: str | None = None
    career_start: int | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """What applying the roster does (or would do) to one person."""

    name: str
    fields: tuple[str, ...] = ()


@dataclass(slots=True)
class RosterReport:
    added: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: int = 0
    returned: list[Change] = field(default_factory=list)
    left: list[Change] = field(default_factory=list)
    # Entries that fit more than one person, or a person more than one entry: left alone.
    ambiguous: list[str] = field(default_factory=list)
    # People plgbot knows who are on no roster (they talked to the bot, or are on the
    # platform only): not staff for participation while the school has a roster.
    not_on_roster: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.updated) + len(self.returned) + len(self.left)


def normal_email(value: str | None) -> str | None:
    """An e-mail address as matched: trimmed and lower-case; None if it is none."""
    if not value:
        return None
    value = value.strip().strip("<>").lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value or len(value) > 254:
        return None
    return value


def _label(entry: RosterEntry) -> str:
    return entry.name or entry.email or entry.platform_id or f"row {entry.row}"


class _Index:
    """The school's people by platform id, e-mail and name key."""

    def __init__(self, people: Sequence[Person]) -> None:
        self.by_id = {p.platform_user_id: p for p in people}
        self.by_email: dict[str, list[Person]] = defaultdict(list)
        self.by_name: dict[str, list[Person]] = defaultdict(list)
        for p in people:
            if p.email:
                self.by_email[p.email].append(p)
            self.by_name[name_key(p.display_name)].append(p)

    def candidates(self, entry: RosterEntry) -> list[Person]:
        """Everyone the entry could mean by its strongest key: the platform id, else
        the e-mail, else the name (only people without another e-mail)."""
        if entry.platform_id and entry.platform_id in self.by_id:
            found = self.by_id[entry.platform_id]
            if entry.email and found.email and found.email != entry.email:
                other = self.by_email.get(entry.email, [])
                return [found, *[p for p in other if p is not found]]
            return [found]
        if entry.email and entry.email in self.by_email:
            return self.by_email[entry.email]
        if entry.name:
            return [
                p
                for p in self.by_name.get(name_key(entry.name), [])
                if not p.email or p.email == entry.email
            ]
        return []


async def apply_roster(
    session: AsyncSession,
    *,
    school_id: int,
    entries: Iterable[RosterEntry],
    now: datetime,
    complete: bool = True,
    dry_run: bool = False,
) -> RosterReport:
    """Apply ``entries`` to the school's people; see the module docstring. With
    ``complete`` the roster is the whole staff and people missing from it leave."""
    report = RosterReport(dry_run=dry_run)
    people = (await session.scalars(select(Person).where(Person.school_id == school_id))).all()
    index = _Index(people)
    matched: dict[int, RosterEntry] = {}
    new: list[RosterEntry] = []
    claimed: dict[int, list[RosterEntry]] = defaultdict(list)
    for entry in entries:
        found = index.candidates(entry)
        if len(found) > 1:
            names = ", ".join(sorted(p.display_name for p in found))
            report.ambiguous.append(f"{_label(entry)}: {names}")
        elif found:
            claimed[found[0].id].append(entry)
        else:
            new.append(entry)
    by_id = {p.id: p for p in people}
    for person_id, fits in claimed.items():
        if len(fits) > 1:
            rows = ", ".join(str(e.row) for e in fits)
            report.ambiguous.append(f"{by_id[person_id].display_name}: rows {rows}")
            continue
        matched[person_id] = fits[0]
    seen_new: set[str] = set()
    for entry in new:
        key = entry.email or entry.platform_id or name_key(entry.name or "")
        if not key or key in seen_new:
            report.ambiguous.append(f"{_label(entry)}: row {entry.row} (twice in the roster)")
            continue
        seen_new.add(key)
        if not entry.name and not entry.email:
            report.ambiguous.append(f"{_label(entry)}: row {entry.row} (no name, no e-mail)")
            continue
        report.added.append(Change(_label(entry)))
        if not dry_run:
            await _add(session, school_id, entry, now)
    for person_id, entry in matched.items():
        person = by_id[person_id]
        returning = person.left_at is not None
        fields = _update(person, entry, now, dry_run=dry_run)
        if returning:
            report.returned.append(Change(person.display_name, fields))
        elif fields:
            report.updated.append(Change(person.display_name, fields))
        else:
            report.unchanged += 1
    ambiguous_people = {p for p, fits in claimed.items() if len(fits) > 1}
    for person in people:
        if person.id in matched or person.id in ambiguous_people:
            continue
        if person.on_roster_since is not None and person.left_at is None:
            if complete:
                report.left.append(Change(person.display_name))
                if not dry_run:
                    person.left_at = now
        elif person.on_roster_since is None and not person.withdrawn:
            report.not_on_roster.append(person.display_name)
    if not dry_run:
        await session.flush()
    report.added.sort(key=lambda c: c.name)
    report.updated.sort(key=lambda c: c.name)
    report.left.sort(key=lambda c: c.name)
    report.not_on_roster.sort()
    return report


async def _add(session: AsyncSession, school_id: int, entry: RosterEntry, now: datetime) -> None:
    name = entry.name or (entry.email or "").split("@")[0]
    session.add(
        Person(
            school_id=school_id,
            platform_user_id=entry.platform_id or f"{PLACEHOLDER}{entry.email}",
            display_name=name[:200],
            handle=await free_handle(session, school_id, name),
            role=entry.role or "teacher",
            department=entry.department,
            email=entry.email,
            career_start=entry.career_start,
            on_roster_since=now,
            created_at=now,
        )
    )
    await session.flush()


def _update(person: Person, entry: RosterEntry, now: datetime, *, dry_run: bool) -> tuple[str, ...]:
    """The fields the entry changes (set unless ``dry_run``). Only what the roster
    says: an empty cell keeps what is known."""
    wanted: dict[str, object] = {}
    # An HR export calls nearly everyone "docent": that does not undo a role given in
    # plgbot (a PLG lead, the coordinator); any other role the roster names does.
    if (entry.role and entry.role != person.role and entry.role != "teacher") or (
        entry.role == "teacher" and person.role == "support"
    ):
        wanted["role"] = entry.role
    if entry.department and entry.department != person.department:
        wanted["department"] = entry.department[:100]
    if entry.email and entry.email != person.email:
        wanted["email"] = entry.email
    if entry.career_start and entry.career_start != person.career_start:
        wanted["career_start"] = entry.career_start
    if entry.platform_id and person.platform_user_id.startswith(PLACEHOLDER):
        wanted["platform_user_id"] = entry.platform_id
    if entry.name and person.display_name in (person.platform_user_id, person.email):
        wanted["display_name"] = entry.name[:200]
    if person.on_roster_since is None:
        wanted["on_roster_since"] = now
    if person.left_at is not None:
        wanted["left_at"] = None
    if not dry_run:
        for name, value in wanted.items():
            setattr(person, name, value)
    # Coming onto the roster is not a change of the person's data worth listing.
    return tuple(name for name in wanted if name not in ("on_roster_since", "left_at"))


def set_fields(
    person: Person,
    *,
    role: object = None,
    department: object = None,
    career_start: object = None,
) -> list[str]:
    """Set what is given (a coordinator or the command line); the names changed."""
    changed = []
    for name, value in (("role", role), ("department", department), ("career_start", career_start)):
        if value is not None and getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    return changed


async def needs_emails(
    session: AsyncSession, *, platform: str, tenant_id: str, for_coordinator: bool
) -> bool:
    """Whether a newcomer's e-mail matters in this school: roster entries wait to be
    recognised by it, or (``for_coordinator``) the first coordinator may be them."""
    school_id = await session.scalar(
        select(School.id).where(School.platform == platform, School.tenant_id == tenant_id)
    )
    if school_id is None:
        return for_coordinator
    waiting = await session.scalar(
        select(Person.id)
        .where(Person.school_id == school_id, Person.platform_user_id.startswith(PLACEHOLDER))
        .limit(1)
    )
    if waiting is not None:
        return True
    return for_coordinator and not await coordinators_exist(session, school_id)


async def coordinators_exist(session: AsyncSession, school_id: int) -> bool:
    found = await session.scalar(
        select(Person.id)
        .where(
            Person.school_id == school_id,
            Person.role == "coordinator",
            Person.opted_out_at.is_(None),
            Person.left_at.is_(None),
        )
        .limit(1)
    )
    return found is not None
