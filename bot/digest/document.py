"""The form of a digest in words: a :class:`Document` of sections (and, for a board, a
table), and the two ways it goes out: a chat message with the pictures as File blocks,
or a Markdown file.

Both the school digest (bot.digest.messages) and the board digest
(bot.digest.board_messages) are written as a Document first, so chat and Markdown say
the same thing. File names hold the week only, never a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.catalogue import Language, text
from bot.messages import Block, Bullets, File, Heading, OutboundMessage, Paragraph, message
from bot.rounds.agenda import escape_markdown


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
