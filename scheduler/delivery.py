"""Do one scheduled send at most once, and never lose it: claim, send, confirm.

1. Claim the occurrence (kind, key, due) in a committed transaction (its own, or the
   caller's when the work is prepared ahead of its due time, see
   :mod:`scheduler.round_posting`). Whoever inserted the row does the work; everyone
   else stops.
2. Send, passing the caller's idempotency key to the messenger.
3. Record what came back and mark the occurrence done, in one transaction.

A process that dies between 2 and 3 leaves an unconfirmed claim. Once the claim is
older than ``lease`` (longer than any send takes), the next run takes it over (one
winner, by a conditional update) and sends again with the same key: a messenger that
can find its earlier post by key returns it instead of posting twice. One that cannot
(Teams) posts a second time; that window is the time between the platform accepting
the post and our commit, milliseconds in practice. While re-sending,
:data:`bot.ports.RESENDING` is set, so a messenger looks its earlier post up only then.
Past ``grace`` an unconfirmed claim is marked ``failed`` instead, since a question
posted days late is worse than none.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports import RESENDING
from storage import Database
from storage.occurrences import (
    claim_occurrence,
    find_occurrence,
    finish_occurrence,
    take_over_occurrence,
)

log = logging.getLogger("plgbot.scheduler")

Send = Callable[[], Awaitable[str]]
Record = Callable[[AsyncSession, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to do one occurrence: its id, and whether it may have been done before
    (a take-over of a claim whose process died)."""

    occurrence_id: int
    again: bool


class Delivery:
    def __init__(self, db: Database, *, lease: timedelta, grace: timedelta) -> None:
        self.db = db
        self.lease = lease
        self.grace = grace

    async def once(
        self,
        *,
        kind: str,
        key: str,
        due: datetime,
        now: datetime,
        send: Send | None,
        record: Record | None = None,
        outcome: str = "done",
        grace: timedelta | None = None,
    ) -> bool:
        """Run ``send`` for this occurrence unless it was (or is being) done; True if
        this call did it. Without ``send`` the occurrence is only marked with
        ``outcome`` (e.g. ``skipped``). A failing send raises and stays unconfirmed.
        ``grace`` overrides how long after ``due`` an unconfirmed claim is retried."""
        async with self.db.session() as session:
            claim = await self.claim(session, kind=kind, key=key, due=due, now=now, grace=grace)
        if claim is None:
            return False
        await self.complete(claim, now=now, send=send, record=record, outcome=outcome)
        return True

    async def try_once(
        self,
        *,
        kind: str,
        key: str,
        due: datetime,
        now: datetime,
        send: Send | None,
        record: Record | None = None,
        outcome: str = "done",
        grace: timedelta | None = None,
    ) -> None:
        """:meth:`once`, but a failure is logged and left for the next run, so one
        broken channel or person does not keep the others from getting theirs."""
        try:
            await self.once(
                kind=kind,
                key=key,
                due=due,
                now=now,
                send=send,
                record=record,
                outcome=outcome,
                grace=grace,
            )
        except Exception:
            log.exception("delivery %s %s due %s failed; will retry", kind, key, due)

    async def claim(
        self,
        session: AsyncSession,
        *,
        kind: str,
        key: str,
        due: datetime,
        now: datetime,
        grace: timedelta | None = None,
    ) -> Claim | None:
        """Step 1 in the caller's transaction, which must commit before the work starts
        (that commit keeps the others away): the claim if this caller is the one to do
        the work, else None. A claim made before ``due`` (work prepared ahead) counts
        from ``due``: the lease covers the sending, not the wait for the due time."""
        claimed = await claim_occurrence(session, kind=kind, key=key, due_at=due, now=max(now, due))
        if claimed is not None:
            return Claim(claimed, again=False)
        existing = await find_occurrence(session, kind=kind, key=key, due_at=due)
        if existing is None or existing.done_at is not None:
            return None
        if now - due > (grace or self.grace):
            log.warning("giving up on %s %s due %s: never confirmed", kind, key, due)
            await finish_occurrence(session, existing.id, now=now, outcome="failed")
            return None
        stale = now - self.lease
        if not await take_over_occurrence(session, existing.id, claimed_before=stale, now=now):
            return None  # another process is on it right now
        log.info("re-sending %s %s due %s with the same key", kind, key, due)
        return Claim(existing.id, again=True)

    async def complete(
        self,
        claim: Claim,
        *,
        now: datetime,
        send: Send | None,
        record: Record | None = None,
        outcome: str = "done",
    ) -> None:
        """Steps 2 and 3: send, then record what came back and confirm, in one
        transaction. A failing send raises and leaves the claim unconfirmed."""
        result = None
        if send is not None:
            resending = RESENDING.set(claim.again)
            try:
                result = await send()
            finally:
                RESENDING.reset(resending)
        async with self.db.session() as session:
            if record is not None and result is not None:
                await record(session, result)
            await finish_occurrence(
                session, claim.occurrence_id, now=now, outcome=outcome, result=result
            )
