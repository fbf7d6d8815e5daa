"""Do one scheduled send at most once, and never lose it: claim, send, confirm.

1. Claim the occurrence (kind, key, due) in a committed transaction (its own, or the
   caller's when the work is prepared ahead of its due time, see
   :mod:`scheduler.round_posting`). Whoever inserted the row does the work; everyone
   else stops.
2. Send, passing the caller's idempotency key to the messenger.
3. Record what came back and mark the occurrence done, in one transaction.

A send that raises (the platform refused it or was out of reach past the client's
retries) marks the claim ``retry``: once its lease is over, a run sends it again.

A process that dies between 2 and 3 leaves an unconfirmed claim, and whether the post
went out is unknown. Once the claim is older than ``lease`` (longer than any send
takes), what the next run does depends on whether the post can be found again
(``findable``, see :attr:`bot.ports.Messenger.finds_posts`): a Slack channel post with
a key is sent again with the same key (one winner, by a conditional update), and the
messenger returns the earlier post instead of posting twice; while re-sending,
:data:`bot.ports.RESENDING` is set, so a messenger looks its earlier post up only then.
Anything else (a direct message, a Teams post) is not sent again: it is marked
``unsure`` and logged, so it goes out at most once. Past ``grace`` an unconfirmed claim
is marked ``failed`` instead, since a question posted days late is worse than none.
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
    RETRY,
    claim_occurrence,
    find_occurrence,
    finish_occurrence,
    release_occurrence,
    retake_occurrence,
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
        findable: bool = False,
    ) -> bool:
        """Run ``send`` for this occurrence unless it was (or is being) done; True if
        this call did it. Without ``send`` the occurrence is only marked with
        ``outcome`` (e.g. ``skipped``). A failing send raises and is retried by a run
        after the lease. ``grace`` overrides how long after ``due`` an unconfirmed claim is retried;
        ``findable`` says the send can find its earlier post by key (see above)."""
        async with self.db.session() as session:
            claim = await self.claim(
                session, kind=kind, key=key, due=due, now=now, grace=grace, findable=findable
            )
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
        findable: bool = False,
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
                findable=findable,
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
        findable: bool = False,
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
        if existing.claimed_at >= stale:
            # Another process is on it right now, or its send just failed: a failed
            # send waits for the lease too, so an outage is not hammered every run.
            return None
        if existing.outcome == RETRY:
            if not await retake_occurrence(session, existing.id, now=now):
                return None
            log.info("sending %s %s due %s again after a failed send", kind, key, due)
            # A send that raised after the platform took it (a reset connection) is
            # found again where it can be.
            return Claim(existing.id, again=findable)
        if not findable:
            # Its process died mid-send: it may have gone out, and the platform cannot
            # tell. At most once: not again.
            log.warning("%s %s due %s may have been sent; not sending it again", kind, key, due)
            await finish_occurrence(session, existing.id, now=now, outcome="unsure")
            return None
        if not await take_over_occurrence(session, existing.id, claimed_before=stale, now=now):
            return None  # another process took it over first
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
            except Exception:
                try:
                    async with self.db.session() as session:
                        await release_occurrence(session, claim.occurrence_id)
                except Exception as error:
                    # Left in flight: past its lease it counts as perhaps sent.
                    log.warning("could not mark a failed send for retry (%s)", type(error).__name__)
                raise
            finally:
                RESENDING.reset(resending)
        async with self.db.session() as session:
            if record is not None and result is not None:
                await record(session, result)
            await finish_occurrence(
                session, claim.occurrence_id, now=now, outcome=outcome, result=result
            )
