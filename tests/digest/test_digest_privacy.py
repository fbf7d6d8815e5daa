"""Privacy in the digest (design.md): aggregate-only names nobody anywhere, people who
opted out are left out, and groups under 5 are never shown apart."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from bot.digest.document import as_markdown
from bot.digest.messages import digest_document, school_message
from bot.digest.weekly import Digest, compute
from bot.messages import File, OutboundMessage
from storage.models import Person
from storage.school_settings import set_school_config
from tests.digest.conftest import NOW, STAFF, WEEK, School

NAMES = [name for name, _, _ in STAFF.values()]
# First and last names alone too: "Wilma" must not slip through either.
NAME_PARTS = sorted({part for name in NAMES for part in name.split()})


async def _digest(school: School) -> Digest:
    async with school.db.session() as session:
        return await compute(session, school.school_id, WEEK, now=NOW)


def _everything(message: OutboundMessage, markdown: str) -> str:
    files = [f"{b.name} {b.title}" for b in message.blocks if isinstance(b, File)]
    return "\n".join([message.plain_text, markdown, *files])


async def test_aggregate_only_names_nobody_in_text_markdown_pictures_or_file_names(
    school: School,
) -> None:
    async with school.db.session() as session:
        await set_school_config(session, school.school_id, {"aggregate_only": "on"})
    digest = await _digest(school)
    assert digest.aggregate_only
    assert all(node.label is None for node in digest.nodes), "no labels in the picture"
    assert all(k.name is None for k in digest.key_figures)
    assert all(r.question is None for r in digest.rounds), "a question may name someone"
    for language in ("en", "nl"):
        message = await school_message(digest, language)
        markdown = as_markdown(digest_document(digest, language), ("network.png",))
        shown = _everything(message, markdown)
        for part in NAME_PARTS:
            assert part not in shown, f"{part!r} in the {language} aggregate-only digest"
        files = [b for b in message.blocks if isinstance(b, File)]
        assert [f.name for f in files] == ["network-2026-W47.png", "trend-2026-W47.png"]
    en = as_markdown(digest_document(digest, "en")).replace("\\", "")
    assert "3 key figures: 2 sender, 1 receiver." in en
    assert "1 of them new since last week." in en
    assert "Datateam havo-3: 3 replies" in en
    assert "totals only: no names" in en
    # The numbers stay.
    assert "9 of 16 staff (56%) talked about a PLG this week, up from 38% last week." in en


async def test_people_who_opted_out_are_neither_counted_nor_named(school: School) -> None:
    async with school.db.session() as session:
        await session.execute(
            update(Person)
            .where(Person.id == school.ids["ta"])
            .values(opted_out_at=datetime(2026, 11, 20, tzinfo=UTC))
        )
    digest = await _digest(school)
    # Tamara no longer counts: 15 staff, 8 took part, her ties (wa→ta, ta→tb) are gone.
    assert (digest.staff, digest.active) == (15, 8)
    assert (digest.ties, digest.new_ties) == (6, 4)
    assert school.ids["ta"] not in {n.person_id for n in digest.nodes}
    assert school.ids["ta"] not in {k.person_id for k in digest.key_figures}
    for language in ("en", "nl"):
        message = await school_message(digest, language)
        shown = _everything(message, as_markdown(digest_document(digest, language)))
        assert "Tamara" not in shown and "Assink" not in shown


async def test_groups_under_five_are_never_shown_apart(school: School) -> None:
    digest = await _digest(school)
    shown = {g.name for g in digest.by_role + digest.by_department}
    # Bèta (3), no department (2), PLG leads (4), coordinators (2), support (1).
    assert shown == {"teacher", "Wiskunde", "Talen", None}
    assert all(g.staff >= 5 for g in digest.by_role + digest.by_department)
    text = as_markdown(digest_document(digest, "nl")).replace("\\", "")
    for hidden in ("Bèta", "PLG-trekker", "coördinator", "onderwijsondersteuner"):
        assert hidden not in text
    assert "overige functies: 4 van de 7" in text
    assert "overige secties: 3 van de 5" in text
