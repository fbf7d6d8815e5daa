"""The digest in words: a chat message (with the pictures as File blocks) and a
Markdown document, in Dutch or English, from the same sections.

Numbers are written to mean something ("31 of 84 staff (37%) talked about a PLG this
week, up from 29%"); an empty week, a holiday week and a school without staff say so in
one sentence. An aggregate-only digest carries no names (bot.digest leaves them out
before anything is written here), and file names never hold one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date

from bot.agenda import escape_markdown
from bot.catalogue import Language, catalogue, text
from bot.digest import Balance, BoardDigest, Digest, GroupShare, KeyFigureLine, rate
from bot.knowledge import ALL_TYPES
from bot.messages import Block, Bullets, File, Heading, OutboundMessage, Paragraph, message


@dataclass(frozen=True, slots=True)
class Section:
    title: str | None
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """What a digest says, before it becomes chat blocks or Markdown."""

    title: str
    sections: tuple[Section, ...]
    table: tuple[tuple[str, ...], ...] = field(default=())


def percent(part: int, whole: int) -> int:
    return round(100 * rate(part, whole))


def _day(language: Language, day: date) -> str:
    return day.strftime("%d-%m-%Y") if language == "nl" else day.isoformat()


def _t(language: Language, key: str, **values: object) -> str:
    return text(language, f"digest.{key}", **values)


def _comparison(language: Language, now: int, previous: int | None) -> str:
    if previous is None:
        return _t(language, "first")
    if now > previous:
        return _t(language, "up", previous=previous)
    if now < previous:
        return _t(language, "down", previous=previous)
    return _t(language, "same")


def role_name(language: Language, role: str) -> str:
    return catalogue(language).get(f"demo.role.{role}", role)


def _groups(
    language: Language, groups: tuple[GroupShare, ...], other: str, roles: bool
) -> tuple[str, ...]:
    items = []
    for g in groups:
        if g.name is None:
            name = _t(language, other)
        else:
            name = role_name(language, g.name) if roles else g.name
        items.append(
            _t(
                language,
                "group",
                group=name,
                active=g.active,
                staff=g.staff,
                percent=percent(g.active, g.staff),
            )
        )
    return tuple(items)


def _participation(language: Language, active: int, staff: int, p_active: int, p_staff: int) -> str:
    now = percent(active, staff)
    previous = percent(p_active, p_staff) if p_staff else None
    return _t(language, "participation", active=active, staff=staff, percent=now) + _comparison(
        language, now, previous
    )


def _key_figure_change(language: Language, k: KeyFigureLine) -> str:
    if k.previous_rank is None or k.previous_degree is None:
        return _t(language, "change_new")
    parts = []
    if k.previous_rank != k.rank:
        parts.append(_t(language, "change_rank", rank=k.previous_rank))
    if k.previous_degree != k.degree:
        delta = k.degree - k.previous_degree
        parts.append(_t(language, "change_degree", delta=f"{delta:+d}"))
    return ", ".join(parts) if parts else _t(language, "change_same")


def _profile(language: Language, profile: str) -> str:
    return text(language, f"keyfigures.profile.{profile}")


def _key_figures(language: Language, digest: Digest) -> Section:
    title = _t(language, "key_figures_title", weeks=digest.window_weeks)
    if not digest.key_figures:
        return Section(title, (_t(language, "key_figures_none", weeks=digest.window_weeks),))
    paragraphs: list[str] = []
    items: tuple[str, ...] = ()
    if digest.aggregate_only:
        counts: dict[str, int] = {}
        for k in digest.key_figures:
            counts[k.profile] = counts.get(k.profile, 0) + 1
        profiles = ", ".join(
            _t(language, "profile_count", count=n, profile=_profile(language, p))
            for p, n in counts.items()
        )
        paragraphs.append(
            _t(language, "key_figures_count", count=len(digest.key_figures), profiles=profiles)
        )
        new = sum(1 for k in digest.key_figures if k.previous_rank is None)
        if new:
            paragraphs.append(_t(language, "key_figures_new_count", count=new))
    else:
        items = tuple(
            _t(
                language,
                "key_figure",
                rank=k.rank,
                name=k.name,
                profile=_profile(language, k.profile),
                degree=k.degree,
                reciprocal=k.reciprocal_ties,
                change=_key_figure_change(language, k),
            )
            for k in digest.key_figures
        )
    if digest.left_key_figures:
        paragraphs.append(_t(language, "key_figures_left", count=digest.left_key_figures))
    return Section(title, tuple(paragraphs), items)


def _balance(language: Language, trend: tuple[Balance, ...]) -> Section:
    title = _t(language, "balance_title")
    week = trend[-1]
    if not week.typed:
        return Section(title, (_t(language, "balance_none"),))
    shares = {
        kind.names[0]: percent(count, week.typed)
        for kind, count in zip(ALL_TYPES, week.counts, strict=True)
    }
    paragraphs = [_t(language, "balance", **shares)]
    before = trend[:-1]
    typed_before = sum(b.typed for b in before)
    if typed_before:
        then = percent(sum(b.counts[2] for b in before), typed_before)
        paragraphs.append(
            _t(language, "balance_trend", now=shares["outcomes"], then=then, weeks=len(before))
        )
    others = (shares["focus"], shares["process"], shares["benefits"])
    if shares["outcomes"] > max(others):
        paragraphs.append(_t(language, "balance_advice"))
    return Section(title, tuple(paragraphs))


def _rounds(language: Language, digest: Digest) -> Section:
    title = _t(language, "rounds_title")
    if not digest.rounds:
        return Section(title, (_t(language, "rounds_none"),))
    items = []
    for r in digest.rounds:
        if r.question is None:
            items.append(_t(language, "round_unnamed", plg=r.plg, replies=r.replies))
        elif r.anonymous:
            items.append(
                _t(language, "round_anonymous", plg=r.plg, question=r.question, replies=r.replies)
            )
        else:
            items.append(
                _t(
                    language,
                    "round",
                    plg=r.plg,
                    question=r.question,
                    replies=r.replies,
                    colleagues=r.colleagues,
                )
            )
    return Section(title, (), tuple(items))


def _nudges(language: Language, sent: int, followed: int) -> Section:
    title = _t(language, "nudges_title")
    if not sent and not followed:
        return Section(title, (_t(language, "nudges_none"),))
    return Section(title, (_t(language, "nudges", sent=sent, followed=followed),))


def _title(language: Language, digest: Digest) -> str:
    return _t(
        language,
        "title",
        school=digest.school,
        week=str(digest.week),
        monday=_day(language, digest.week.monday),
        sunday=_day(language, digest.week.sunday),
    )


def digest_document(digest: Digest, language: Language) -> Document:
    """The school digest's sections in ``language``."""
    title = _title(language, digest)
    week = str(digest.week)
    if not digest.staff:
        return Document(title, (Section(None, (_t(language, "no_staff", school=digest.school),)),))
    if digest.empty:
        key, values = "empty", {"week": week}
        if digest.holiday is not None:
            key, values = "holiday_empty", {"week": week, "holiday": digest.holiday}
        return Document(title, (Section(None, (_t(language, key, **values),)),))
    opening = []
    if digest.holiday is not None:
        opening.append(_t(language, "holiday_note", week=week, holiday=digest.holiday))
    opening.append(
        _participation(
            language, digest.active, digest.staff, digest.previous_active, digest.previous_staff
        )
    )
    if digest.aggregate_only:
        opening.append(_t(language, "aggregate_note"))
    sections = [Section(None, tuple(opening))]
    if digest.by_role:
        sections.append(
            Section(
                _t(language, "by_role"),
                (),
                _groups(language, digest.by_role, "other_roles", roles=True),
            )
        )
    if digest.by_department:
        sections.append(
            Section(
                _t(language, "by_department"),
                (),
                _groups(language, digest.by_department, "other_departments", roles=False),
            )
        )
    if digest.new_ties == 0:
        new_ties = _t(language, "new_ties_none")
    elif digest.new_ties == 1:
        new_ties = _t(language, "new_ties_one")
    else:
        new_ties = _t(language, "new_ties", count=digest.new_ties)
    now = percent(digest.reciprocal_ties, digest.ties)
    previous = (
        percent(digest.previous_reciprocal_ties, digest.previous_ties)
        if digest.previous_ties
        else None
    )
    reciprocity = _t(
        language,
        "reciprocity",
        reciprocal=digest.reciprocal_ties,
        ties=digest.ties,
        percent=now,
        weeks=digest.window_weeks,
    ) + _comparison(language, now, previous)
    sections.append(Section(_t(language, "network_title"), (new_ties, reciprocity)))
    sections.append(_key_figures(language, digest))
    sections.append(_balance(language, digest.trend))
    sections.append(_rounds(language, digest))
    sections.append(_nudges(language, digest.nudges_sent, digest.nudges_followed))
    return Document(title, tuple(sections))


def board_document(board: BoardDigest, language: Language) -> Document:
    """The board digest: a row per school, totals, the combined balance and nudges."""
    title = _t(
        language,
        "board_title",
        board=board.board,
        week=str(board.week),
        monday=_day(language, board.week.monday),
        sunday=_day(language, board.week.sunday),
    )
    total = _participation(
        language, board.active, board.staff, board.previous_active, board.previous_staff
    )
    rows = []
    table: list[tuple[str, ...]] = [
        tuple(
            _t(language, f"table_{c}")
            for c in ("school", "staff", "active", "new_ties", "reciprocity")
        )
    ]
    for d in board.schools:
        if d.empty and d.holiday is not None:
            rows.append(_t(language, "school_row_holiday", school=d.school, holiday=d.holiday))
        elif d.empty:
            rows.append(_t(language, "school_row_empty", school=d.school))
        else:
            rows.append(
                _t(
                    language,
                    "school_row",
                    school=d.school,
                    active=d.active,
                    staff=d.staff,
                    percent=percent(d.active, d.staff),
                    new_ties=d.new_ties,
                    reciprocity=percent(d.reciprocal_ties, d.ties),
                )
            )
        table.append(_row(d.school, d.staff, d.active, d.new_ties, d.reciprocal_ties, d.ties))
    table.append(
        _row(
            _t(language, "table_total"),
            board.staff,
            board.active,
            board.new_ties,
            board.reciprocal_ties,
            board.ties,
        )
    )
    sections = [
        Section(None, (total,)),
        Section(_t(language, "schools_title"), (), tuple(rows)),
        _balance(language, board.trend),
        _nudges(language, board.nudges_sent, board.nudges_followed),
    ]
    return Document(title, tuple(sections), tuple(table))


def _row(
    name: str, staff: int, active: int, new_ties: int, both: int, ties: int
) -> tuple[str, ...]:
    return (
        name,
        str(staff),
        f"{active} ({percent(active, staff)}%)",
        str(new_ties),
        f"{percent(both, ties)}%",
    )


def picture_files(
    language: Language, week: str, *, network: bytes | None, trend: bytes
) -> tuple[File, ...]:
    """The pictures as File blocks; names hold the week only, never a person."""
    files = []
    if network is not None:
        title = text(language, "digest.picture.network_file")
        files.append(File(f"network-{week}.png", network, "image/png", title))
    title = text(language, "digest.picture.trend_file")
    files.append(File(f"trend-{week}.png", trend, "image/png", title))
    return tuple(files)


async def school_message(digest: Digest, language: Language) -> OutboundMessage:
    """The school digest as a chat message with both pictures (none when there is
    nothing to report: the one sentence says it)."""
    # matplotlib takes a while to import: only when a picture is drawn, not whenever
    # the bot starts.
    from bot.digest_pictures import render_pictures

    document = digest_document(digest, language)
    if not digest.staff or digest.empty:
        return as_message(document)
    pictures = await render_pictures(digest, language)
    files = picture_files(
        language, str(digest.week), network=pictures.network, trend=pictures.trend
    )
    return as_message(document, files)


async def board_message(board: BoardDigest, language: Language) -> OutboundMessage:
    """The board digest as a chat message with the board's trend chart."""
    from bot.digest_pictures import trend_png

    trend = await asyncio.to_thread(trend_png, board.trend, language)
    files = picture_files(language, str(board.week), network=None, trend=trend)
    return as_message(board_document(board, language), files)


def as_message(document: Document, files: tuple[File, ...] = ()) -> OutboundMessage:
    """The document as a chat message (sent privately or in a coordinators' channel)."""
    blocks: list[Block] = [Heading(document.title)]
    for section in document.sections:
        if section.title:
            blocks.append(Heading(section.title))
        blocks.extend(Paragraph(p) for p in section.paragraphs)
        if section.items:
            blocks.append(Bullets(section.items))
    blocks.extend(files)
    return message(*blocks)


def as_markdown(document: Document, pictures: tuple[str, ...] = ()) -> str:
    """The document as Markdown, every piece of data escaped; ``pictures`` are file
    names of PNGs next to it, shown as images."""
    lines = [f"# {escape_markdown(document.title)}", ""]
    for section in document.sections:
        if section.title:
            lines += [f"## {escape_markdown(section.title)}", ""]
        for paragraph in section.paragraphs:
            lines += [escape_markdown(paragraph), ""]
        if section.items:
            lines += [f"- {escape_markdown(item)}" for item in section.items] + [""]
    if document.table:
        header, *rows = document.table
        lines.append("| " + " | ".join(escape_markdown(c) for c in header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(escape_markdown(c) for c in row) + " |" for row in rows]
        lines.append("")
    lines += [f"![{name}]({name})" for name in pictures]
    return "\n".join(lines).rstrip("\n") + "\n"
