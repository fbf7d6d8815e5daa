"""The school digest in words: a chat message (with the pictures as File blocks) and a
Markdown document, in Dutch or English, from the same sections.

Numbers are written to mean something ("31 of 84 staff (37%) talked about a PLG this
week, up from 29%"); an empty week, a holiday week and a school without staff say so in
one sentence. An aggregate-only digest carries no names (bot.digest.weekly leaves them out
before anything is written here), and file names never hold one. The board digest's
words are in bot.digest.board_messages; what both share in bot.digest.phrases.
"""

from __future__ import annotations

from bot.catalogue import Language, catalogue, text
from bot.digest.document import Document, Section, as_message, picture_files
from bot.digest.network import KeyFigureLine
from bot.digest.participation import EXPERIENCE_BANDS, EXPERIENCED, GroupShare
from bot.digest.phrases import (
    balance_section,
    base_text,
    comparison,
    date_text,
    nudges_section,
    participation_sentence,
    percent,
    phrase,
)
from bot.digest.weekly import Digest
from bot.messages import OutboundMessage

# The band keys of bot.digest.participation.experience_band.
EXPERIENCE_KEYS = frozenset({band for _, band in EXPERIENCE_BANDS} | {EXPERIENCED})


def role_name(language: Language, role: str) -> str:
    """A role as the catalogue names it (``demo.role.*``), else as stored."""
    return catalogue(language).get(f"demo.role.{role}", role)


def _groups(
    language: Language, groups: tuple[GroupShare, ...], other: str, roles: bool
) -> tuple[str, ...]:
    items = []
    for g in groups:
        if g.name is None:
            name = phrase(language, other)
        else:
            name = role_name(language, g.name) if roles else g.name
            if g.name in EXPERIENCE_KEYS:
                name = phrase(language, f"experience_{g.name}")
        items.append(
            phrase(
                language,
                "group",
                group=name,
                active=g.active,
                staff=g.staff,
                percent=percent(g.active, g.staff),
            )
        )
    return tuple(items)


def _key_figure_change(language: Language, k: KeyFigureLine) -> str:
    if k.previous_rank is None or k.previous_degree is None:
        return phrase(language, "change_new")
    parts = []
    if k.previous_rank != k.rank:
        parts.append(phrase(language, "change_rank", rank=k.previous_rank))
    if k.previous_degree != k.degree:
        delta = k.degree - k.previous_degree
        parts.append(phrase(language, "change_degree", delta=f"{delta:+d}"))
    return ", ".join(parts) if parts else phrase(language, "change_same")


def _profile(language: Language, profile: str) -> str:
    return text(language, f"keyfigures.profile.{profile}")


def _key_figures(language: Language, digest: Digest) -> Section:
    title = phrase(language, "key_figures_title", weeks=digest.window_weeks)
    if not digest.key_figures:
        return Section(title, (phrase(language, "key_figures_none", weeks=digest.window_weeks),))
    paragraphs: list[str] = []
    items: tuple[str, ...] = ()
    if digest.aggregate_only:
        counts: dict[str, int] = {}
        for k in digest.key_figures:
            counts[k.profile] = counts.get(k.profile, 0) + 1
        profiles = ", ".join(
            phrase(language, "profile_count", count=n, profile=_profile(language, p))
            for p, n in counts.items()
        )
        paragraphs.append(
            phrase(language, "key_figures_count", count=len(digest.key_figures), profiles=profiles)
        )
        new = sum(1 for k in digest.key_figures if k.previous_rank is None)
        if new:
            paragraphs.append(phrase(language, "key_figures_new_count", count=new))
    else:
        items = tuple(
            phrase(
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
        paragraphs.append(phrase(language, "key_figures_left", count=digest.left_key_figures))
    return Section(title, tuple(paragraphs), items)


def _rounds(language: Language, digest: Digest) -> Section:
    title = phrase(language, "rounds_title")
    if not digest.rounds:
        return Section(title, (phrase(language, "rounds_none"),))
    items = []
    for r in digest.rounds:
        if r.question is None:
            items.append(phrase(language, "round_unnamed", plg=r.plg, replies=r.replies))
        elif r.anonymous:
            items.append(
                phrase(
                    language, "round_anonymous", plg=r.plg, question=r.question, replies=r.replies
                )
            )
        else:
            items.append(
                phrase(
                    language,
                    "round",
                    plg=r.plg,
                    question=r.question,
                    replies=r.replies,
                    colleagues=r.colleagues,
                )
            )
    return Section(title, (), tuple(items))


def _title(language: Language, digest: Digest) -> str:
    return phrase(
        language,
        "title",
        school=digest.school,
        week=str(digest.week),
        monday=date_text(language, digest.week.monday),
        sunday=date_text(language, digest.week.sunday),
    )


def digest_document(digest: Digest, language: Language) -> Document:
    """The school digest's sections in ``language``."""
    title = _title(language, digest)
    week = str(digest.week)
    if not digest.staff:
        return Document(
            title, (Section(None, (phrase(language, "no_staff", school=digest.school),)),)
        )
    if digest.empty:
        key, values = "empty", {"week": week}
        if digest.holiday is not None:
            key, values = "holiday_empty", {"week": week, "holiday": digest.holiday}
        return Document(title, (Section(None, (phrase(language, key, **values),)),))
    opening = []
    if digest.holiday is not None:
        opening.append(phrase(language, "holiday_note", week=week, holiday=digest.holiday))
    opening.append(
        participation_sentence(
            language,
            digest.active,
            digest.staff,
            (digest.previous_active, digest.previous_staff),
            base_text(language, digest.base),
        )
    )
    if not digest.roster:
        opening.append(phrase(language, "no_roster_note"))
    if digest.aggregate_only:
        opening.append(phrase(language, "aggregate_note"))
    sections = [Section(None, tuple(opening))]
    if digest.by_role:
        sections.append(
            Section(
                phrase(language, "by_role"),
                (),
                _groups(language, digest.by_role, "other_roles", roles=True),
            )
        )
    if digest.by_department:
        sections.append(
            Section(
                phrase(language, "by_department"),
                (),
                _groups(language, digest.by_department, "other_departments", roles=False),
            )
        )
    if digest.by_experience:
        sections.append(
            Section(
                phrase(language, "by_experience"),
                (),
                _groups(language, digest.by_experience, "other_experience", roles=False),
            )
        )
    if digest.new_ties == 0:
        new_ties = phrase(language, "new_ties_none")
    elif digest.new_ties == 1:
        new_ties = phrase(language, "new_ties_one")
    else:
        new_ties = phrase(language, "new_ties", count=digest.new_ties)
    reciprocity = phrase(
        language,
        "reciprocity",
        reciprocal=digest.reciprocal_ties,
        ties=digest.ties,
        percent=percent(digest.reciprocal_ties, digest.ties),
        weeks=digest.window_weeks,
    ) + comparison(
        language,
        digest.reciprocal_ties,
        digest.ties,
        (digest.previous_reciprocal_ties, digest.previous_ties),
        base_text(language, digest.base),
    )
    sections.append(Section(phrase(language, "network_title"), (new_ties, reciprocity)))
    sections.append(_key_figures(language, digest))
    sections.append(balance_section(language, digest.trend))
    sections.append(_rounds(language, digest))
    sections.append(nudges_section(language, digest.nudges_sent, digest.nudges_followed))
    return Document(title, tuple(sections))


async def school_message(digest: Digest, language: Language) -> OutboundMessage:
    """The school digest as a chat message with both pictures (none when there is
    nothing to report: the one sentence says it)."""
    # matplotlib takes a while to import: only when a picture is drawn, not whenever
    # the bot starts.
    from bot.digest.pictures import render_pictures

    document = digest_document(digest, language)
    if not digest.staff or digest.empty:
        return as_message(document)
    pictures = await render_pictures(digest, language)
    files = picture_files(
        language, str(digest.week), network=pictures.network, trend=pictures.trend
    )
    return as_message(document, files)
