"""Message text waits in the inbox only until its delivery is processed: the payload is
blanked in the transaction that stores the record, SQLite overwrites what it deletes,
and opting out or erasure removes a person's deliveries that still wait."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

from storage import inbox
from storage.models import Delivery, Person
from storage.privacy import erase_person
from tests.slack.fake_slack import TEAM_ID
from tests.slack.harness import ANOUK, BRAM, FIXTURE_NOW, Plgbot

SECRET_WORDS = "zeldzaam-woord-KWX7Q over de havo-3 leerlingen"


def _waiting(user: str, n: int) -> inbox.Arrival:
    return inbox.Arrival(
        key=f"slack:{TEAM_ID}:EvWAIT{user}{n}",
        platform="slack",
        kind="message",
        payload=json.dumps({"event": {"text": SECRET_WORDS}}),
        tenant_id=TEAM_ID,
        person=user,
    )


async def _hold(plgbot: Plgbot, arrival: inbox.Arrival) -> None:
    """A delivery another (live) process holds: this server's sweep leaves it alone."""
    async with plgbot.db.session() as session:
        await inbox.receive(session, arrival, FIXTURE_NOW, FIXTURE_NOW + timedelta(days=365))


async def test_processed_text_is_gone_from_the_row_and_the_sqlite_file(
    plgbot: Plgbot, database_url: str
) -> None:
    reply = await plgbot.expect(
        "chat.postMessage",
        plgbot.dm(f"verteld <@{BRAM}> {SECRET_WORDS}", user=ANOUK, event_id="Ev0PRIV0001"),
    )
    assert reply.args["channel"].startswith("D")
    async with plgbot.db.session() as session:
        row = await session.get(Delivery, f"slack:{TEAM_ID}:Ev0PRIV0001")
        assert row is not None and row.state == inbox.DONE and row.payload is None
    if not database_url.startswith("sqlite"):
        return
    async with plgbot.db.session() as session:
        assert (await session.execute(text("PRAGMA secure_delete"))).scalar_one() == 1
    # The write-ahead log holds old page versions until a checkpoint copies it back;
    # after that, neither file holds the text.
    async with plgbot.db.session() as session:
        await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(database_url.split("///", 1)[1])
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            assert b"KWX7Q" not in file.read_bytes(), file


async def test_opting_out_drops_the_persons_waiting_deliveries(plgbot: Plgbot) -> None:
    await _hold(plgbot, _waiting(ANOUK, 1))
    await _hold(plgbot, _waiting(BRAM, 1))
    await plgbot.expect("chat.postMessage", plgbot.dm("afmelden", user=ANOUK, event_id="Ev0OUT01"))
    async with plgbot.db.session() as session:
        keys = set(await session.scalars(select(Delivery.key).where(Delivery.state == "waiting")))
    assert keys == {f"slack:{TEAM_ID}:EvWAIT{BRAM}1"}


async def test_erasure_drops_the_persons_waiting_deliveries(plgbot: Plgbot) -> None:
    await plgbot.expect("chat.postMessage", plgbot.dm("help", user=ANOUK, event_id="Ev0ERASE1"))
    await _hold(plgbot, _waiting(ANOUK, 2))
    await _hold(plgbot, _waiting(BRAM, 2))
    async with plgbot.db.session() as session:
        anouk = await session.scalar(select(Person).where(Person.platform_user_id == ANOUK))
        assert anouk is not None
        counts = await erase_person(session, anouk.id)
    assert counts["deliveries"] == 1
    async with plgbot.db.session() as session:
        rows = (await session.execute(select(Delivery.key, Delivery.person))).all()
    assert (f"slack:{TEAM_ID}:EvWAIT{ANOUK}2", ANOUK) not in rows
    assert (f"slack:{TEAM_ID}:EvWAIT{BRAM}2", BRAM) in rows
    # Done rows keep no trace of whose they were.
    assert all(person != ANOUK for _, person in rows)
