"""``rol @noor coördinator`` and ``afdeling @bram Wiskunde``: coordinators and school
leaders set colleagues' roles and departments in chat.

The colleague is a mention or a typed name ("rol noor coördinator"); a name that fits
several people is asked back with one button per person, never guessed. Every change is
written to the audit log: a role decides who sees the digest and the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.actions import row_id
from bot.catalogue import Language
from bot.events import ActionInvoked
from bot.messages import Actions, Button, OutboundMessage, Paragraph
from bot.staff import coordinators
from bot.staff.roles import ROLES, role_of
from bot.turn import Context, Turn
from storage import audit, directory
from storage.models import Person
from storage.roster import set_fields

# Who may change roles and departments (design.md: coordinators run plgbot's side of
# the school; a school leader runs the school).
ADMIN_ROLES = frozenset({"coordinator", "school_leader"})
ROLE_WORDS: dict[str, Language] = {"rol": "nl", "functie": "nl", "role": "en"}
DEPARTMENT_WORDS: dict[str, Language] = {
    "afdeling": "nl",
    "sectie": "nl",
    "vaksectie": "nl",
    "department": "en",
    "dept": "en",
}
PICK = "people.set"
MAX_CHOICES = 5
# A department's name, as the dashboard and exports show it.
MAX_DEPARTMENT = 100
# A colleague named without @ in front of it, as bot.commands.MAX_NAME allows.
MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class SetRole:
    rest: str


@dataclass(frozen=True, slots=True)
class SetDepartment:
    rest: str


RoleCommand = SetRole | SetDepartment


def parse_role_command(first: str, rest: str) -> tuple[RoleCommand, Language] | None:
    """``first`` is the command's first word, ``rest`` the words after it without the
    mentions (which come from the event)."""
    if first in ROLE_WORDS:
        return SetRole(rest.strip()), ROLE_WORDS[first]
    if first in DEPARTMENT_WORDS:
        return SetDepartment(rest.strip()), DEPARTMENT_WORDS[first]
    return None


def role_label(ctx: Context, role: str) -> str:
    return ctx.t(f"demo.role.{role}") if role in ROLES else role


async def handle(turn: Turn, command: RoleCommand) -> list[OutboundMessage]:
    is_role = isinstance(command, SetRole)
    if turn.author.role not in ADMIN_ROLES:
        notice = await coordinators.notice(turn)
        return [turn.reply(Paragraph(turn.t("people.refused")), *([notice] if notice else []))]
    words = [w for w in command.rest.split() if w]
    roles = ", ".join(role_label(turn, r) for r in ROLES)
    usage = turn.say("people.usage_role" if is_role else "people.usage_department", roles=roles)
    if not words or (len(words) == 1 and not turn.event.mentions):
        return [usage]
    if turn.event.unknown_mentions:
        names = turn.enumerate([f"@{n}" for n in turn.event.unknown_mentions])
        return [turn.say("error.unknown_person", names=names)]
    if not is_role and len(command.rest) > MAX_DEPARTMENT + MAX_NAME:
        # Longer than a name and a department can be: refused, never cut.
        return [turn.say("people.department_too_long", limit=MAX_DEPARTMENT)]
    if turn.event.mentions:
        ref = turn.event.mentions[0]
        value = " ".join(words)
        person = await directory.ensure_person(
            turn.session,
            school_id=turn.school.id,
            platform_user_id=ref.user_id,
            display_name=ref.display_name,
            now=turn.now,
        )
        return await _apply(turn, person, is_role, value, usage)
    # No mention: the name is the first words, the role or department the rest. Every
    # split whose name fits someone (and, for a role, whose rest is a role) is a reading.
    readings: list[tuple[Person, str, str]] = []
    for cut in range(len(words) - 1, 0, -1):
        name, value = " ".join(words[:cut]), " ".join(words[cut:])
        if is_role and role_of(value) is None:
            continue
        found = await directory.people_named(turn.session, turn.school.id, name)
        readings += [(p, name, value) for p in found if not p.withdrawn]
        if found:
            break
    if not readings:
        if is_role and all(role_of(" ".join(words[c:])) is None for c in range(1, len(words))):
            return [
                turn.say("people.unknown_role", value=" ".join(words[1:]) or words[0], roles=roles)
            ]
        return [turn.say("people.unknown_person", name=words[0])]
    if not is_role and any(len(value) > MAX_DEPARTMENT for _, _, value in readings):
        return [turn.say("people.department_too_long", limit=MAX_DEPARTMENT)]
    if len(readings) == 1:
        person, _, value = readings[0]
        return await _apply(turn, person, is_role, value, usage)
    kind = "role" if is_role else "department"
    buttons = tuple(
        Button(
            label=p.display_name + (f" ({p.department})" if p.department else ""),
            action=PICK,
            value=f"{kind}|{p.id}|{value}",
        )
        for p, _, value in readings[:MAX_CHOICES]
    )
    return [turn.reply(Paragraph(turn.t("people.which", name=readings[0][1])), Actions(buttons))]


async def picked(ctx: Context, event: ActionInvoked) -> list[OutboundMessage]:
    """The button of one of several colleagues a typed name fitted."""
    if ctx.author.role not in ADMIN_ROLES:
        return [ctx.say("people.refused")]
    kind, _, rest = event.value.partition("|")
    person_id, _, value = rest.partition("|")
    found = row_id(person_id)
    person = await ctx.session.get(Person, found) if found is not None else None
    if person is None or person.school_id != ctx.school.id or kind not in ("role", "department"):
        return [ctx.say("error.unknown_action")]
    usage = ctx.say("people.usage_role" if kind == "role" else "people.usage_department", roles="")
    return await _apply(ctx, person, kind == "role", value, usage)


async def _apply(
    ctx: Context, person: Person, is_role: bool, value: str, usage: OutboundMessage
) -> list[OutboundMessage]:
    value = value.strip(" .,:;\"'")
    if not value:
        return [usage]
    if is_role:
        role = role_of(value)
        if role is None:
            roles = ", ".join(role_label(ctx, r) for r in ROLES)
            return [ctx.say("people.unknown_role", value=value, roles=roles)]
        if (
            person.id == ctx.author.id
            and person.role == "coordinator"
            and role != "coordinator"
            and await _only_coordinator(ctx)
        ):
            return [ctx.say("people.last_coordinator")]
        changed = set_fields(person, role=role)
        key = "people.role_set" if changed else "people.role_same"
        reply = ctx.say(key, person=person.display_name, role=role_label(ctx, role))
    elif len(value) > MAX_DEPARTMENT:
        return [ctx.say("people.department_too_long", limit=MAX_DEPARTMENT)]
    else:
        department = value
        changed = set_fields(person, department=department)
        key = "people.department_set" if changed else "people.department_same"
        reply = ctx.say(key, person=person.display_name, department=department)
    if changed:
        shown = person.role if is_role else person.department
        await audit.record(
            ctx.session,
            school_id=ctx.school.id,
            actor_id=ctx.author.id,
            action=audit.PERSON_SET,
            # The id, not the name: erasing the person leaves no name in the log.
            subject=f"person {person.id}: {changed[0]}={shown}",
            at=ctx.now,
        )
    return [reply]


async def _only_coordinator(ctx: Context) -> bool:
    others = [
        p
        for p in await directory.people_of_school(ctx.session, ctx.school.id)
        if p.role == "coordinator" and p.id != ctx.author.id and not p.withdrawn
    ]
    return not others
