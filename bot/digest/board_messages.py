"""The board digest in words: a row per school, the totals (also as a table for the
Markdown file), the combined knowledge-type balance and nudges, with the board's trend
chart.

Apart from the school digest's words (bot.digest.messages) because a board digest has
its own shape: no names, no network, one line per school.
"""

from __future__ import annotations

import asyncio

from bot.catalogue import Language
from bot.digest.board import BoardDigest
from bot.digest.document import Document, Section, as_message, picture_files
from bot.digest.phrases import (
    balance_section,
    base_text,
    date_text,
    nudges_section,
    participation_sentence,
    percent,
    phrase,
    share,
)
from bot.messages import OutboundMessage


def board_document(board: BoardDigest, language: Language) -> Document:
    """The board digest: a row per school, totals, the combined balance and nudges."""
    title = phrase(
        language,
        "board_title",
        board=board.board,
        week=str(board.week),
        monday=date_text(language, board.week.monday),
        sunday=date_text(language, board.week.sunday),
    )
    # Each school is compared with its own last school week; one wording for them all
    # only when they agree on it.
    bases = {d.base for d in board.schools}
    base = bases.pop() if len(bases) == 1 else None
    total = participation_sentence(
        language,
        board.active,
        board.staff,
        (board.previous_active, board.previous_staff),
        base_text(language, base),
    )
    rows = []
    table: list[tuple[str, ...]] = [
        tuple(
            phrase(language, f"table_{c}")
            for c in ("school", "staff", "active", "new_ties", "reciprocity")
        )
    ]
    for d in board.schools:
        if d.empty and d.holiday is not None:
            rows.append(phrase(language, "school_row_holiday", school=d.school, holiday=d.holiday))
        elif d.empty:
            rows.append(phrase(language, "school_row_empty", school=d.school))
        else:
            rows.append(
                phrase(
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
        table.append(
            _row(language, d.school, d.staff, d.active, d.new_ties, d.reciprocal_ties, d.ties)
        )
    table.append(
        _row(
            language,
            phrase(language, "table_total"),
            board.staff,
            board.active,
            board.new_ties,
            board.reciprocal_ties,
            board.ties,
        )
    )
    sections = [
        Section(None, (total,)),
        Section(phrase(language, "schools_title"), (), tuple(rows)),
        balance_section(language, board.trend),
        nudges_section(language, board.nudges_sent, board.nudges_followed),
    ]
    return Document(title, tuple(sections), tuple(table))


def _row(
    language: Language, name: str, staff: int, active: int, new_ties: int, both: int, ties: int
) -> tuple[str, ...]:
    return (
        name,
        str(staff),
        f"{active} ({percent(active, staff)}%)",
        str(new_ties),
        share(language, both, ties),
    )


async def board_message(board: BoardDigest, language: Language) -> OutboundMessage:
    """The board digest as a chat message with the board's trend chart."""
    from bot.digest.pictures import trend_png

    trend = await asyncio.to_thread(trend_png, board.trend, language)
    files = picture_files(language, str(board.week), network=None, trend=trend)
    return as_message(board_document(board, language), files)
