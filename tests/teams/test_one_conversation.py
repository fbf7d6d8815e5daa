"""One conversation, one record on Teams: activities over loopback HTTP through the
real botbuilder stack, answered in the same turn; the other colleague's report is
confirmed, not counted again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.knowledge.types import KnowledgeType
from storage.models import Interaction, Person
from tests.teams.conftest import ANOUK, BRAM, DIRK, Teams, message
from tests.teams.fake_connector import Member

F, P, B = (KnowledgeType.FOCUS.value, KnowledgeType.PROCESS.value, KnowledgeType.BENEFITS.value)


def personal(
    text: str, *, author: Member, other: Member, activity_id: str, locale: str
) -> dict[str, Any]:
    return message(
        text,
        author=author,
        conversation_id=f"a:{author.id.removeprefix('29:')}-personal",
        activity_id=activity_id,
        kind="personal",
        bot_mentioned=False,
        mentions=[other],
        locale=locale,
    )


async def edges(teams: Teams) -> list[tuple[str, str, str, int]]:
    source, target = aliased(Person), aliased(Person)
    async with teams.db.session() as session:
        rows = await session.execute(
            select(
                source.display_name, target.display_name, Interaction.origin, Interaction.knowledge
            )
            .join(source, source.id == Interaction.source_id)
            .join(target, target.id == Interaction.target_id)
            .order_by(Interaction.id)
        )
        return [(s, t, o, k) for s, t, o, k in rows]


async def test_heard_after_told_in_personal_chat_is_one_record(teams: Teams) -> None:
    told = personal(
        f"told <at>{BRAM.name}</at> what the data team works on #focus",
        author=ANOUK,
        other=BRAM,
        activity_id="1763740000001",
        locale="en-GB",
    )
    assert (await teams.post(told)).status_code == 200
    heard = personal(
        f"gehoord van <at>{ANOUK.name}</at> wat het oplevert #meerwaarde",
        author=BRAM,
        other=ANOUK,
        activity_id="1763740000002",
        locale="nl-NL",
    )
    assert (await teams.post(heard)).status_code == 200
    first, second = teams.connector.sent
    assert "Logged: you told Bram Jansen." in first.card_text
    assert "Anouk de Vries had dit gesprek al vastgelegd, dus het telt één keer." in (
        second.card_text
    )
    assert "Ik heb er meerwaarde aan toegevoegd." in second.card_text
    assert await edges(teams) == [("Anouk de Vries", "Bram Jansen", "told", F | B)]


async def test_told_both_ways_is_one_discussed_conversation(teams: Teams) -> None:
    for n, (author, other, text) in enumerate(
        [
            (DIRK, BRAM, f"verteld <at>{BRAM.name}</at> hoe we werken #proces"),
            (BRAM, DIRK, f"told <at>{DIRK.name}</at> how we work #process"),
        ]
    ):
        activity = personal(
            text, author=author, other=other, activity_id=f"17637400001{n}", locale="en-GB"
        )
        assert (await teams.post(activity)).status_code == 200
    assert (
        "Dirk Visser had logged it too, the other way round" in teams.connector.sent[-1].card_text
    )
    assert sorted(await edges(teams)) == [
        ("Bram Jansen", "Dirk Visser", "discussed", P),
        ("Dirk Visser", "Bram Jansen", "discussed", P),
    ]
