"""Schools, people, PLGs, memberships and channels."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PLG, Channel, Membership, Person, School
from storage.staff import on_staff, present
from storage.upsert import insert_ignoring_conflicts

# The lookups every chat event makes, built once with bound parameters: building a
# statement and its cache key per call cost more than running it on SQLite.
_SCHOOL = select(School).where(
    School.platform == bindparam("platform"), School.tenant_id == bindparam("tenant_id")
)
_PERSON = select(Person).where(
    Person.school_id == bindparam("school_id"),
    Person.platform_user_id == bindparam("platform_user_id"),
)
_CHANNEL = select(Channel).where(
    Channel.school_id == bindparam("school_id"),
    Channel.platform_channel_id == bindparam("platform_channel_id"),
)
_CHANNEL_WITH_PLG = (
    select(Channel, PLG)
    .join(PLG, PLG.id == Channel.plg_id)
    .where(
        Channel.school_id == bindparam("school_id"),
        Channel.platform_channel_id == bindparam("platform_channel_id"),
    )
)
# The open PLGs: one closed at the end of a school year is history (storage.school_years).
_PLGS_OF_SCHOOL = (
    select(PLG)
    .where(PLG.school_id == bindparam("school_id"), PLG.closed_at.is_(None))
    .order_by(PLG.name)
)


# The platform id of someone on the roster whom the platform has not shown yet
# (storage.roster): ``roster:<e-mail>``, adopted when a profile with that e-mail comes.
PLACEHOLDER = "roster:"


def name_key(name: str) -> str:
    """Fold case, accents and runs of spaces so near-identical names collide."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(folded.lower().split())


def handle_for(display_name: str) -> str:
    """A console/CLI handle: the first name, lower-case, ASCII (``Anouk de Vries`` ->
    ``anouk``)."""
    first = name_key(display_name).split(" ")[0] if display_name.strip() else "user"
    return re.sub(r"[^a-z0-9_.-]", "", first) or "user"


async def ensure_school(
    session: AsyncSession,
    *,
    platform: str,
    tenant_id: str,
    name: str | None,
    now: datetime,
    language: str = "nl",
) -> School:
    """The school of this workspace or tenant, created on first sight."""
    key = {"platform": platform, "tenant_id": tenant_id}
    # Looked up first: nearly every event finds its school, person and channel, and one
    # statement is cheaper than an insert that does nothing plus the same lookup.
    school = await session.scalar(_SCHOOL, key)
    if school is None:
        await insert_ignoring_conflicts(
            session,
            School,
            [
                {
                    "platform": platform,
                    "tenant_id": tenant_id,
                    "name": name or tenant_id,
                    "language": language,
                    "timezone": "Europe/Amsterdam",
                    "created_at": now,
                }
            ],
            ["platform", "tenant_id"],
        )
        school = await session.scalar(_SCHOOL, key)
    assert school is not None
    return school


async def find_school(session: AsyncSession, key: str) -> School | None:
    """A school by tenant id, or by name (case-insensitive)."""
    school = await session.scalar(select(School).where(School.tenant_id == key))
    if school is not None:
        return school
    schools = (await session.scalars(select(School))).all()
    return next((s for s in schools if name_key(s.name) == name_key(key)), None)


async def list_schools(session: AsyncSession) -> Sequence[School]:
    return (await session.scalars(select(School).order_by(School.name))).all()


async def ensure_person(
    session: AsyncSession,
    *,
    school_id: int,
    platform_user_id: str,
    display_name: str | None,
    now: datetime,
    locale: str | None = None,
    role: str = "teacher",
    department: str | None = None,
    handle: str | None = None,
    email: str | None = None,
) -> Person:
    """The person with this platform id, created on first sight, or adopted from the
    roster by ``email`` (lower-case) when the roster has them under a placeholder. A
    newer display name, locale or e-mail from the platform replaces the stored one."""
    key = {"school_id": school_id, "platform_user_id": platform_user_id}
    person = await session.scalar(_PERSON, key)
    if person is None and email:
        person = await _adopt(session, school_id, email, platform_user_id)
    if person is None:
        # Uniqueness in the database: a concurrent first sight inserts nothing here.
        await insert_ignoring_conflicts(
            session,
            Person,
            [
                {
                    "school_id": school_id,
                    "platform_user_id": platform_user_id,
                    "display_name": display_name or platform_user_id,
                    "handle": handle,
                    "role": role,
                    "department": department,
                    "locale": locale,
                    "email": email,
                    "created_at": now,
                }
            ],
            ["school_id", "platform_user_id"],
        )
        person = await session.scalar(_PERSON, key)
    assert person is not None
    if display_name and person.display_name != display_name:
        person.display_name = display_name
    if locale and person.locale != locale:
        person.locale = locale
    if email and person.email != email:
        person.email = email
    return person


async def _adopt(
    session: AsyncSession, school_id: int, email: str, platform_user_id: str
) -> Person | None:
    """The roster's one placeholder with this e-mail, now under its platform id."""
    rows = (
        await session.scalars(
            select(Person).where(
                Person.school_id == school_id,
                Person.email == email,
                Person.platform_user_id.startswith(PLACEHOLDER),
            )
        )
    ).all()
    if len(rows) != 1:
        return None
    rows[0].platform_user_id = platform_user_id
    await session.flush()
    return rows[0]


async def find_person(session: AsyncSession, school_id: int, name: str) -> Person | None:
    """A person by handle, platform id, full name, or unambiguous first name."""
    key = name_key(name.lstrip("@"))
    people = (await session.scalars(select(Person).where(Person.school_id == school_id))).all()
    for field in ("handle", "platform_user_id", "display_name"):
        found = [p for p in people if name_key(getattr(p, field) or "") == key]
        if len(found) == 1:
            return found[0]
    first_names = [p for p in people if name_key(p.display_name).split(" ")[0] == key]
    return first_names[0] if len(first_names) == 1 else None


async def people_named(session: AsyncSession, school_id: int, name: str) -> list[Person]:
    """Everyone a typed ``name`` could mean: by full name if any fits, else by first
    name (so "noor" gives both Noors when there are two). Not by handle: people in chat
    never see handles, and "sanne" must not quietly mean whoever got that handle."""
    key = name_key(name.lstrip("@"))
    if not key:
        return []
    people = (await session.scalars(select(Person).where(Person.school_id == school_id))).all()
    found = [p for p in people if name_key(p.display_name) == key]
    return found or [p for p in people if name_key(p.display_name).split(" ")[0] == key]


async def person_by_email(session: AsyncSession, school_id: int, email: str) -> Person | None:
    return await session.scalar(
        select(Person).where(Person.school_id == school_id, Person.email == email).limit(1)
    )


async def people_of_school(session: AsyncSession, school_id: int) -> Sequence[Person]:
    return (
        await session.scalars(
            select(Person).where(Person.school_id == school_id).order_by(Person.display_name)
        )
    ).all()


async def staff_of(session: AsyncSession, school_id: int, at: datetime) -> Sequence[Person]:
    """The school's staff at ``at`` for participation (storage.staff.on_staff: on the
    roster by then, once there is one; not opted out or left)."""
    return (
        await session.scalars(
            select(Person).where(on_staff(school_id, at)).order_by(Person.display_name)
        )
    ).all()


async def reachable_people(session: AsyncSession, school_id: int) -> Sequence[Person]:
    """Everyone in the school who has not opted out, in a stable order."""
    return (
        await session.scalars(
            select(Person).where(Person.school_id == school_id, present()).order_by(Person.id)
        )
    ).all()


async def people_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, Person]:
    if not ids:
        return {}
    rows = await session.scalars(select(Person).where(Person.id.in_(set(ids))))
    return {p.id: p for p in rows}


async def free_handle(session: AsyncSession, school_id: int, display_name: str) -> str:
    """A handle not yet taken in the school: ``anouk``, else ``anouk2``, ``anouk3``..."""
    base = handle_for(display_name)
    taken = set(
        (
            await session.scalars(
                select(Person.handle).where(
                    Person.school_id == school_id, Person.handle.like(f"{base}%")
                )
            )
        ).all()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


async def create_plg(
    session: AsyncSession,
    *,
    school_id: int,
    name: str,
    focus: str,
    kind: str,
    now: datetime,
) -> PLG | None:
    """A new PLG, or None when the school already has one by that name."""
    inserted = await insert_ignoring_conflicts(
        session,
        PLG,
        [
            {
                "school_id": school_id,
                "name": name,
                "name_key": name_key(name),
                "focus": focus,
                "kind": kind,
                "created_at": now,
            }
        ],
        ["school_id", "name_key"],
    )
    if not inserted:
        return None
    return await find_plg(session, school_id, name)


async def find_plg(session: AsyncSession, school_id: int, name: str) -> PLG | None:
    return await session.scalar(
        select(PLG).where(PLG.school_id == school_id, PLG.name_key == name_key(name))
    )


async def plgs_of_school(session: AsyncSession, school_id: int) -> Sequence[PLG]:
    return (await session.scalars(_PLGS_OF_SCHOOL, {"school_id": school_id})).all()


async def set_next_meeting(session: AsyncSession, plg: PLG, when: date) -> None:
    plg.next_meeting = when


async def add_member(
    session: AsyncSession, *, plg_id: int, person_id: int, lead: bool = False
) -> bool:
    """Add a member (or make them lead). Returns False if nothing changed."""
    membership = await session.get(Membership, (plg_id, person_id))
    if membership is None:
        session.add(Membership(plg_id=plg_id, person_id=person_id, is_lead=lead))
        await session.flush()
        return True
    if lead and not membership.is_lead:
        membership.is_lead = True
        return True
    return False


async def membership(session: AsyncSession, plg_id: int, person_id: int) -> Membership | None:
    return await session.get(Membership, (plg_id, person_id))


async def plgs_of_person(session: AsyncSession, person_id: int) -> Sequence[tuple[PLG, bool]]:
    """The person's PLGs with whether they lead it."""
    rows = await session.execute(
        select(PLG, Membership.is_lead)
        .join(Membership, Membership.plg_id == PLG.id)
        .where(Membership.person_id == person_id, PLG.closed_at.is_(None))
        .order_by(PLG.name)
    )
    return [(plg, bool(is_lead)) for plg, is_lead in rows]


async def member_counts(session: AsyncSession, school_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(Membership.plg_id, func.count())
        .join(PLG, PLG.id == Membership.plg_id)
        .where(PLG.school_id == school_id)
        .group_by(Membership.plg_id)
    )
    return {plg_id: count for plg_id, count in rows}


async def leads_of(session: AsyncSession, plg_id: int) -> Sequence[Person]:
    return (
        await session.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.plg_id == plg_id, Membership.is_lead.is_(True))
            .order_by(Person.display_name)
        )
    ).all()


async def ensure_channel(
    session: AsyncSession, *, school_id: int, platform_channel_id: str, name: str | None
) -> Channel:
    key = {"school_id": school_id, "platform_channel_id": platform_channel_id}
    channel = await session.scalar(_CHANNEL, key)
    if channel is None:
        await insert_ignoring_conflicts(
            session,
            Channel,
            [{"school_id": school_id, "platform_channel_id": platform_channel_id, "name": name}],
            ["school_id", "platform_channel_id"],
        )
        channel = await session.scalar(_CHANNEL, key)
    assert channel is not None
    if name and channel.name != name:
        channel.name = name
    return channel


async def channel_with_plg(
    session: AsyncSession, school_id: int, platform_channel_id: str
) -> tuple[Channel, PLG] | None:
    """The channel and its PLG, if the channel is linked to one."""
    key = {"school_id": school_id, "platform_channel_id": platform_channel_id}
    row = (await session.execute(_CHANNEL_WITH_PLG, key)).first()
    return (row[0], row[1]) if row else None


async def channels_of_plg(session: AsyncSession, plg_id: int) -> Sequence[Channel]:
    return (await session.scalars(select(Channel).where(Channel.plg_id == plg_id))).all()


async def person_by_platform_id(
    session: AsyncSession, *, platform: str, tenant_id: str, platform_user_id: str
) -> Person | None:
    """A person by the platform's own ids, without creating the school or the person."""
    return await session.scalar(
        select(Person)
        .join(School, School.id == Person.school_id)
        .where(
            School.platform == platform,
            School.tenant_id == tenant_id,
            Person.platform_user_id == platform_user_id,
        )
    )


def profile_is_fresh(person: Person, *, now: datetime, max_age: timedelta) -> bool:
    """Whether the platform profile stored for ``person`` is recent enough to use."""
    fetched = person.profile_fetched_at
    return fetched is not None and timedelta(0) <= now - fetched < max_age


async def update_profile(
    session: AsyncSession,
    *,
    school_id: int,
    platform_user_id: str,
    display_name: str,
    locale: str | None,
    now: datetime,
    timezone: str | None = None,
    email: str | None = None,
) -> Person:
    """Store a profile just fetched from the platform (created on first sight)."""
    person = await ensure_person(
        session,
        school_id=school_id,
        platform_user_id=platform_user_id,
        display_name=display_name,
        locale=locale,
        now=now,
        email=email,
    )
    person.profile_fetched_at = now
    if timezone:
        person.timezone = timezone[:64]
    return person
