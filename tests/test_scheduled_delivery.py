"""Scheduled sends on a real database: a failed send is sent again after its lease; a
send whose process died mid-way is sent again only where the post can be found by its
key (exactly once), else never (at most once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.ports import RESENDING
from scheduler.delivery import Delivery
from storage import Database
from storage.models import Occurrence

DUE = datetime(2026, 12, 7, 8, tzinfo=UTC)
LEASE = timedelta(minutes=2)


class Platform:
    """Counts sends; fails while ``down``; remembers whether each was a re-send."""

    def __init__(self) -> None:
        self.down = False
        self.sent: list[bool] = []

    async def send(self) -> str:
        if self.down:
            raise ConnectionError("platform down")
        self.sent.append(RESENDING.get())
        return f"m{len(self.sent)}"


async def _outcome(db: Database) -> tuple[str | None, bool]:
    async with db.session() as session:
        row = (await session.scalars(select(Occurrence))).one()
        return row.outcome, row.done_at is not None


@pytest.mark.parametrize("findable", [True, False])
async def test_a_failed_send_goes_again_after_its_lease(db: Database, findable: bool) -> None:
    delivery = Delivery(db, lease=LEASE, grace=timedelta(hours=6))
    platform = Platform()
    platform.down = True
    with pytest.raises(ConnectionError):
        await delivery.once(
            kind="nudge", key="7", due=DUE, now=DUE, send=platform.send, findable=findable
        )
    assert await _outcome(db) == ("retry", False)
    platform.down = False
    # Within the lease nobody sends (the outage is not hammered every run) ...
    assert not await delivery.once(
        kind="nudge", key="7", due=DUE, now=DUE + timedelta(minutes=1), send=platform.send
    )
    # ... after it, the next run sends: nothing went out, so even a DM goes again.
    assert await delivery.once(
        kind="nudge",
        key="7",
        due=DUE,
        now=DUE + timedelta(minutes=3),
        send=platform.send,
        findable=findable,
    )
    assert platform.sent == [findable]
    assert await _outcome(db) == ("done", True)


async def test_a_send_whose_process_died_goes_again_only_where_it_can_be_found(
    db: Database,
) -> None:
    delivery = Delivery(db, lease=LEASE, grace=timedelta(hours=6))
    platform = Platform()
    for key in ("channel", "dm"):
        async with db.session() as session:
            claim = await delivery.claim(session, kind="post", key=key, due=DUE, now=DUE)
        assert claim is not None  # ... and the process died before (or while) sending
    later = DUE + timedelta(minutes=3)
    assert await delivery.once(
        kind="post", key="channel", due=DUE, now=later, send=platform.send, findable=True
    )
    assert not await delivery.once(
        kind="post", key="dm", due=DUE, now=later, send=platform.send, findable=False
    )
    # The channel post was sent again with the same key, looking for the first one.
    assert platform.sent == [True]
    async with db.session() as session:
        rows = {
            o.key: (o.outcome, o.done_at is not None)
            for o in await session.scalars(select(Occurrence))
        }
    assert rows == {"channel": ("done", True), "dm": ("unsure", True)}
