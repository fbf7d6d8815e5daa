"""The meeting agenda a round's replies become (design.md): the question, the replies
grouped by knowledge type and by recurring theme, how many colleagues replied from
which roles and departments, and follow-up questions.

It is compiled once (:func:`compile_agenda`) and rendered as an
:class:`~bot.messages.OutboundMessage` (plain text: each adapter escapes it) or as
Markdown for ``plgbot agenda`` (user text escaped there). It never lists who did not
reply. Anonymous rounds have no authors, so their agenda has no names and no role or
department counts, only the number of replies. A reply by someone who has opted out
still counts, but says "a colleague" instead of their name (design.md, Privacy): they
are never named again, on any agenda, however it is shown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import Language, catalogue, text
from bot.knowledge.types import ALL_TYPES, KnowledgeType
from bot.messages import Block, Bullets, Facts, Heading, OutboundMessage, Paragraph, message
from bot.rounds.messages import when
from bot.rounds.themes import Theme, recurring_themes, reply_questions
from bot.school_time import zone_of
from storage import rounds as store
from storage.models import PLG, Person, QuestionRound, RoundOccurrence, RoundReply, School

_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# "# kop", "> citaat", "- lijst", "+ lijst", "1. lijst", "1) lijst", "=" under a line.
_LINE_START = re.compile(r"^([#>+=-])")
_NUMBERED = re.compile(r"^(\d+)([.)])(?=\s)")
_TYPES = tuple(t for t in ALL_TYPES if t)


class Unnamed(Enum):
    """The author of a reply who may not be named: shown as "a colleague"."""

    COLLEAGUE = "colleague"


@dataclass(frozen=True, slots=True)
class AgendaReply:
    """One reply; ``author`` is the name to show, :attr:`Unnamed.COLLEAGUE` for someone
    who opted out, or None where no author is shown at all (anonymous rounds, an
    aggregate-only school's dashboard)."""

    number: int
    text: str
    author: str | Unnamed | None
    types: KnowledgeType


@dataclass(frozen=True, slots=True)
class Agenda:
    round_id: int
    plg: str
    question: str
    opened_at: datetime
    closes_at: datetime
    meeting: date | None
    anonymous: bool
    replies: tuple[AgendaReply, ...]
    colleagues: int
    by_role: tuple[tuple[str, int], ...]
    by_department: tuple[tuple[str | None, int], ...]
    themes: tuple[Theme, ...]
    questions: tuple[str, ...]


async def compile_agenda(
    session: AsyncSession,
    question_round: QuestionRound,
    occurrence: RoundOccurrence,
    *,
    now: datetime,
) -> Agenda:
    """The agenda of ``occurrence`` as it stands at ``now``: a meeting date that has
    passed by then is left out (the leads are asked for the next, scheduler/meetings.py)."""
    plg = await session.get(PLG, question_round.plg_id)
    school = await session.get(School, question_round.school_id)
    rows = await store.replies_of(session, occurrence.id)
    replies = tuple(
        AgendaReply(
            number,
            "\n".join(reply.text for reply, _ in group),
            None if question_round.anonymous else _author(group[0][1]),
            KnowledgeType(reduce(or_, (reply.knowledge for reply, _ in group), 0)),
        )
        for number, group in enumerate(_per_colleague(rows, question_round.anonymous), start=1)
    )
    # Everyone who replied counts, opted out or not: only their name is left out.
    people = {person.id: person for _, person in rows if person is not None}
    if question_round.anonymous:
        people = {}
    roles = Counter(p.role for p in people.values())
    departments = Counter(p.department for p in people.values())
    texts = [r.text for r in replies]
    return Agenda(
        round_id=question_round.id,
        plg=plg.name if plg else "?",
        question=occurrence.question,
        opened_at=occurrence.due_at,
        closes_at=occurrence.closes_at,
        meeting=_upcoming(plg, school, now),
        anonymous=question_round.anonymous,
        replies=replies,
        colleagues=len(people),
        by_role=tuple(sorted(roles.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_department=tuple(sorted(departments.items(), key=lambda kv: (-kv[1], kv[0] or "~"))),
        themes=tuple(recurring_themes(texts, question=occurrence.question)),
        questions=tuple(reply_questions(texts)),
    )


def _upcoming(plg: PLG | None, school: School | None, now: datetime) -> date | None:
    if plg is None or plg.next_meeting is None or school is None:
        return None
    today = now.astimezone(zone_of(school)).date()
    return plg.next_meeting if plg.next_meeting >= today else None


def _per_colleague(
    rows: Sequence[tuple[RoundReply, Person | None]], anonymous: bool
) -> list[list[tuple[RoundReply, Person | None]]]:
    """One entry per colleague, in the order of their first reply: a second answer not
    yet settled (bot.rounds.replies) is part of the same colleague's reply, so that it
    is listed once and a theme needs two colleagues. An anonymous round cannot know who
    wrote what: each reply stands alone there."""
    groups: dict[object, list[tuple[RoundReply, Person | None]]] = {}
    for reply, person in rows:
        key = reply.id if anonymous or person is None else ("person", person.id)
        groups.setdefault(key, []).append((reply, person))
    return list(groups.values())


def _author(person: Person | None) -> str | Unnamed | None:
    """The one place an agenda's author is decided: the chat, closing, dashboard and
    Markdown agendas are all compiled here, so none can name someone who opted out
    (whenever they replied, before opting out too)."""
    if person is None:
        return None
    return Unnamed.COLLEAGUE if person.opted_out_at is not None else person.display_name


@dataclass(frozen=True, slots=True)
class _Section:
    title: str
    items: tuple[str, ...]


def _sections(
    language: Language, agenda: Agenda, zone: ZoneInfo
) -> tuple[str, list[tuple[str, str]], list[_Section]]:
    """Title, facts and sections, all plain text; the two renderers format them."""

    def t(key: str, **values: object) -> str:
        return text(language, key, **values)

    title = t("agenda.title", plg=agenda.plg)
    facts = [(t("agenda.question"), agenda.question)]
    facts.append(
        (
            t("agenda.period"),
            t(
                "agenda.period_value",
                opened=when(language, agenda.opened_at, zone),
                closed=when(language, agenda.closes_at, zone),
            ),
        )
    )
    if agenda.meeting is not None:
        facts.append((t("agenda.meeting"), agenda.meeting.isoformat()))
    if agenda.anonymous:
        facts.append(
            (t("agenda.replies"), t("agenda.replies_anonymous", replies=len(agenda.replies)))
        )
    else:
        facts.append(
            (
                t("agenda.replies"),
                t(
                    "agenda.replies_value",
                    replies=len(agenda.replies),
                    colleagues=agenda.colleagues,
                ),
            )
        )
        roles = catalogue(language)
        if agenda.by_role:
            facts.append(
                (
                    t("agenda.roles"),
                    ", ".join(f"{roles.get(f'demo.role.{r}', r)}: {n}" for r, n in agenda.by_role),
                )
            )
        if agenda.by_department:
            facts.append(
                (
                    t("agenda.departments"),
                    ", ".join(
                        f"{d or t('agenda.no_department')}: {n}" for d, n in agenda.by_department
                    ),
                )
            )
    sections: list[_Section] = []
    if not agenda.replies:
        return title, facts, [_Section(t("agenda.no_replies_title"), (t("agenda.no_replies"),))]
    for kind in (*_TYPES, KnowledgeType.NONE):
        group = [r for r in agenda.replies if _primary(r.types) == kind]
        if not group:
            continue
        name = t(f"types.{kind.names[0]}") if kind else t("agenda.untyped")
        sections.append(
            _Section(
                t("agenda.type_title", type=name, count=len(group)),
                tuple(_reply_line(language, r) for r in group),
            )
        )
    if agenda.themes:
        sections.append(
            _Section(
                t("agenda.themes_title"),
                tuple(
                    t(
                        "agenda.theme",
                        theme=theme.label,
                        count=len(theme.replies),
                        replies=", ".join(map(str, theme.replies)),
                    )
                    for theme in agenda.themes
                ),
            )
        )
    followups = list(agenda.questions)
    if agenda.themes:
        top = agenda.themes[0]
        followups.append(t("agenda.followup_theme", theme=top.label, count=len(top.replies)))
    if followups:
        sections.append(_Section(t("agenda.followups_title"), tuple(followups)))
    return title, facts, sections


def _primary(types: KnowledgeType) -> KnowledgeType:
    """A reply is listed once, under the first of its types in design.md's order."""
    return next((kind for kind in _TYPES if types & kind), KnowledgeType.NONE)


def _reply_line(language: Language, reply: AgendaReply) -> str:
    others = [
        text(language, f"types.{k.names[0]}")
        for k in _TYPES
        if reply.types & k and k != _primary(reply.types) and k.name
    ]
    line = f"{reply.number}. {reply.text}"
    match reply.author:
        case Unnamed.COLLEAGUE:
            line += " — " + text(language, "agenda.a_colleague")
        case str(name) if name:
            line += f" — {name}"
    if others:
        line += " " + text(language, "agenda.also", types=", ".join(others))
    return line


def agenda_message(language: Language, agenda: Agenda, zone: ZoneInfo) -> OutboundMessage:
    title, facts, sections = _sections(language, agenda, zone)
    blocks: list[Block] = [Heading(title), Facts(tuple(facts))]
    for section in sections:
        blocks += [Paragraph(section.title), Bullets(section.items)]
    return message(*blocks)


def agenda_markdown(language: Language, agenda: Agenda, zone: ZoneInfo) -> str:
    """The agenda as a Markdown document; every piece of user text is escaped."""
    title, facts, sections = _sections(language, agenda, zone)
    lines = [f"# {escape_markdown(title)}", ""]
    lines += [f"- **{escape_markdown(label)}:** {escape_markdown(value)}" for label, value in facts]
    for section in sections:
        lines += ["", f"## {escape_markdown(section.title)}", ""]
        lines += [f"- {escape_markdown(item)}" for item in section.items]
    return "\n".join(lines) + "\n"


def escape_markdown(value: str) -> str:
    """Markdown written for people: line breaks folded and only what Markdown would
    read escaped, so a reply can neither format the document nor start a heading, a
    list or a table cell of its own, and "PLG-bijeenkomst (11-01)" stays as it reads.
    Escaped: emphasis, code, links and images, HTML, table pipes, strike-through, an
    entity; at the start, what would begin a heading, quote or list."""
    folded = _MARKDOWN_INLINE.sub(r"\\\1", " ".join(value.split()))
    folded = _ENTITY.sub(r"\\&", folded)
    folded = _NUMBERED.sub(r"\1\\\2", folded, count=1)
    return _LINE_START.sub(r"\\\1", folded, count=1)
