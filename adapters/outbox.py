"""Sending the core's replies from the outbox (:mod:`storage.outbox`): at once after the
transaction that kept them, and again later (every sweep of the inbox) for those a
platform outage, a restart or a crash left unsent.

Which replies are sent exactly once and which at most once is the platform's
:class:`Sender` to say (:meth:`Sender.findable`): a reply it can find again by its key
is sent, then deleted, and a re-send looks it up first; any other is claimed (deleted)
before it is sent, so it can never go twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence, Set
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.observability import REPLIES_DROPPED
from bot.clock import Clock
from bot.messages import OutboundMessage, from_record, to_record
from storage import Database, outbox
from storage.database import is_unavailable
from storage.events import CURRENT_DELIVERY
from storage.group_commit import GroupCommit
from storage.outbox import Kept

log = logging.getLogger("plgbot.outbox")

SWEEP_BATCH = 50


class RefusedError(Exception):
    """The platform refused a reply for good (the channel is gone, the person left, the
    reply is malformed): trying again would not help."""


class Sender(Protocol):
    """A platform's way to send one kept reply."""

    def findable(self, destination: dict[str, Any], message: OutboundMessage) -> bool:
        """Whether a reply sent there can be found again by its key afterwards."""
        ...

    async def send_kept(
        self, destination: dict[str, Any], message: OutboundMessage, *, key: str | None, again: bool
    ) -> None:
        """Send ``message``; with ``key`` (a findable reply) mark it with the key, and
        when ``again``, first look for an earlier one with that key and stop if found.
        Raises :class:`RefusedError` for a refusal for good, anything else for a
        failure worth trying again."""
        ...


class Outbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        platform: str,
        sender: Sender,
        lease: timedelta = outbox.LEASE,
    ) -> None:
        self._db = db
        self._clock = clock
        self._platform = platform
        self._sender = sender
        self._lease = lease
        # Concurrent deliveries' claims share a transaction.
        self._claims = GroupCommit(self._db, _claim_all)

    async def deliver(
        self, destination: dict[str, Any], messages: Sequence[OutboundMessage]
    ) -> None:
        """Send the replies to the delivery being processed. Those the core kept (see
        :data:`storage.events.Processing.kept`) go through the outbox; any other (a
        refusal that recorded nothing) is sent once, as is."""
        delivery = CURRENT_DELIVERY.get()
        kept: dict[int, str] = {}
        if delivery is not None:
            kept = {id(reply): row for row, reply in delivery.kept}
            delivery.kept = []
        plan = [(kept.get(id(message)), message) for message in messages]
        once = {row for row, message in plan if row and not self._findable(destination, message)}
        claimed = await self._claim(once)
        now = self._clock.now()
        sent: list[str] = []
        for row, message in plan:
            if row is None:
                await self._send(None, destination, message, key=None)
                continue
            if row in once and row not in claimed:
                continue  # still kept (the database was out of reach), or taken by another
            reply = Kept(
                row,
                destination,
                to_record(message),
                0,
                now,
                outbox.owner_of(delivery.key)[1] if delivery else None,
                delivery.person if delivery else None,
            )
            findable = row not in once
            went = await self._send(reply, destination, message, key=row if findable else None)
            if went and findable:
                sent.append(row)
        if sent:
            await self._forget(sent)

    async def _claim(self, ids: set[str]) -> set[str]:
        """Claim kept replies before their at-most-once send; those this process got."""
        if not ids:
            return set()
        try:
            return await self._claims.write(ids)
        except Exception as error:
            if not is_unavailable(error):
                raise
            # Still kept: a sweep sends them once the database is back.
            log.warning("outbox: replies wait for the database (%s)", type(error).__name__)
            return set()

    async def sweep(self) -> int:
        """Send replies nobody holds whose time has come; how many were taken."""
        now = self._clock.now()
        async with self._db.session() as session:
            taken = await outbox.take_over(
                session, self._platform, now, now + self._lease, SWEEP_BATCH
            )
        for reply in taken:
            try:
                message = from_record(reply.message)
            except (KeyError, TypeError, ValueError):
                log.error("outbox: cannot read a kept reply; dropped")
                await self._forget([reply.id])
                continue
            if self._findable(reply.destination, message):
                if await self._send(reply, reply.destination, message, key=reply.id, again=True):
                    await self._forget([reply.id])
                continue
            async with self._db.session() as session:
                if not await outbox.claim(session, [reply.id]):
                    continue
            await self._send(reply, reply.destination, message, key=None, again=True)
        if taken:
            log.info("outbox: sent %d kept %s replies", len(taken), self._platform)
        return len(taken)

    def _findable(self, destination: dict[str, Any], message: OutboundMessage) -> bool:
        return self._sender.findable(destination, message)

    async def _send(
        self,
        reply: Kept | None,
        destination: dict[str, Any],
        message: OutboundMessage,
        *,
        key: str | None,
        again: bool = False,
    ) -> bool:
        """Send; True if it went. A failure worth retrying puts a kept reply back."""
        try:
            await self._sender.send_kept(destination, message, key=key, again=again)
            return True
        except RefusedError as error:
            log.warning("outbox: %s refused a reply for good (%s)", self._platform, error)
            REPLIES_DROPPED.labels(self._platform, "refused").inc()
            if key is not None:
                await self._forget([key])
            return False
        except Exception as error:
            log.debug("outbox: traceback", exc_info=error)
            if reply is None:
                log.warning("outbox: %s reply not sent (%s)", self._platform, type(error).__name__)
                return False
            log.warning(
                "outbox: %s reply not sent (%s); kept for a retry",
                self._platform,
                type(error).__name__,
            )
            try:
                async with self._db.session() as session:
                    kept = await outbox.retry(
                        session, reply, platform=self._platform, now=self._clock.now()
                    )
            except Exception as failure:
                log.error("outbox: could not keep a reply for a retry (%s)", type(failure).__name__)
                return False
            if not kept:
                log.error("outbox: %s reply given up: too late to send", self._platform)
                REPLIES_DROPPED.labels(self._platform, "too_late").inc()
            return False

    async def _forget(self, ids: list[str]) -> None:
        try:
            async with self._db.session() as session:
                await outbox.sent(session, ids)
        except Exception as error:
            # Findable replies: a re-send finds them and does not post twice.
            log.warning("outbox: could not mark replies sent (%s)", type(error).__name__)


async def _claim_all(session: AsyncSession, wanted: Sequence[Set[str]]) -> list[set[str]]:
    """Claim several deliveries' replies in one statement; each gets back its own."""
    taken = {reply.id for reply in await outbox.claim(session, [i for ids in wanted for i in ids])}
    return [set(ids) & taken for ids in wanted]
