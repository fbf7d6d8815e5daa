"""The weekly coordinator digest job (design.md, "Weekly digest"; the numbers:
:mod:`bot.digest.weekly`).

One schedule per school whose platform this process serves and that has the digest on:
a :class:`~apscheduler.triggers.cron.CronTrigger` at the school's ``digest_at``
(default Monday 07:30) in the school's time zone. A run reports on the ISO week that
holds the day before its moment (on a Monday: the week just ended; on a Friday: this
week so far), stores the week's aggregates (``digest_weeks``), and sends the digest to
``digest_channel`` if set, else privately to every coordinator, each in their own
language. A school whose board (``schools.board``) holds other schools also sends its
recipients the board digest.

Every send goes through :class:`scheduler.delivery.Delivery` with kind ``digest`` (or
``digest.board``), key ``<school id>:<week>:p<person id>`` (a channel:
``<school id>:<week>:channel:<hash of its id>``) and due the start of the reported
week, so each recipient gets each week's digest once, whatever restarts, retries,
second schedulers or a changed ``digest_at`` do. A run more than ``grace`` (default 2
days) after its moment sends nothing; a failed send is retried until then.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import Language
from bot.digest.board import BoardDigest, compute_board
from bot.digest.board_messages import board_message
from bot.digest.history import store_digest
from bot.digest.messages import school_message
from bot.digest.week import IsoWeek
from bot.digest.weekly import Digest, compute
from bot.events import school_ref
from bot.messages import OutboundMessage
from bot.rounds.messages import person_language, school_language
from bot.school_time import zone_of
from scheduler.jobs import Schedule
from scheduler.nudges import latest_moment, weekly_trigger
from scheduler.per_school import PerSchoolJobs, per_school_schedules
from storage import digests as store
from storage.models import School
from storage.school_settings import SchoolConfig

log = logging.getLogger("plgbot.scheduler")


def _weekly(school: School, config: SchoolConfig) -> CronTrigger | None:
    return weekly_trigger(config.weekday_time("digest_at"), school) if config.digest else None


def reported_week(moment: datetime, school: School) -> IsoWeek:
    """The week a digest sent at ``moment`` reports on: the one holding the day before."""
    return IsoWeek.containing(moment - timedelta(days=1), zone_of(school))


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where one copy goes: a channel, or a person's private chat."""

    key: str
    language: Language
    channel_id: str | None = None
    user_id: str | None = None


class DigestJobs(PerSchoolJobs):
    """The :class:`scheduler.jobs.JobSource` of weekly digests."""

    kind = "digest"

    async def schedules(self) -> list[Schedule]:
        return await per_school_schedules(self.db, self.messengers, self.defaults, _weekly)

    async def run_due(self, key: str, now: datetime) -> None:
        async with self.db.session() as session:
            served = await self.served_school(session, key)
            if served is None:
                return
            school, config = served
            if not config.digest:
                return
            moment = latest_moment(now, config.weekday_time("digest_at"), school)
            if now - moment > self.grace:
                return
            week = reported_week(moment, school)
            digest = await compute(session, school.id, week, now=now, defaults=self.defaults)
            await store_digest(session, digest, now=now)
            recipients = await self._recipients(session, school, config)
            board: BoardDigest | None = None
            if school.board and len(await store.schools_of_board(session, school.board)) > 1:
                board = await compute_board(
                    session, school.board, week, now=now, defaults=self.defaults
                )
        due = week.start(zone_of(school))
        # Claims are due at the week's start (one per week, whatever digest_at says);
        # a failed send is retried until ``grace`` after this run's moment.
        retry = moment - due + self.grace
        sends = [("digest", _school(digest))]
        if board is not None:
            sends.append(("digest.board", _board(board)))
        for kind, render in sends:
            await self._send_all(school, kind, week, due, now, recipients, render, retry)

    async def _recipients(
        self, session: AsyncSession, school: School, config: SchoolConfig
    ) -> list[Recipient]:
        if config.digest_channel:
            language = school_language(school, self.default_language)
            channel = config.digest_channel
            # Channel ids can be long (Teams); the claim key has room for a hash.
            short = hashlib.sha256(channel.encode()).hexdigest()[:16]
            return [Recipient(f"channel:{short}", language, channel_id=channel)]
        return [
            Recipient(
                f"p{person.id}",
                person_language(person, school, self.default_language),
                user_id=person.platform_user_id,
            )
            for person in await store.coordinators(session, school.id)
        ]

    async def _send_all(
        self,
        school: School,
        kind: str,
        week: IsoWeek,
        due: datetime,
        now: datetime,
        recipients: list[Recipient],
        render: Callable[[Language], Awaitable[OutboundMessage]],
        retry: timedelta,
    ) -> None:
        rendered: dict[Language, OutboundMessage] = {}
        ref = school_ref(school)
        messenger = self.messengers.for_school(ref)
        for recipient in recipients:
            claim = f"{school.id}:{week}:{recipient.key}"

            async def send(recipient: Recipient = recipient, claim: str = claim) -> str:
                if recipient.language not in rendered:
                    rendered[recipient.language] = await render(recipient.language)
                message = rendered[recipient.language]
                if recipient.channel_id is not None:
                    return await messenger.post_to_channel(
                        school=ref, channel_id=recipient.channel_id, message=message, key=claim
                    )
                assert recipient.user_id is not None
                return await messenger.send_private(
                    school=ref, user_id=recipient.user_id, message=message
                )

            try:
                await self.delivery.once(
                    kind=kind,
                    key=claim,
                    due=due,
                    now=now,
                    send=send,
                    grace=retry,
                    findable=recipient.channel_id is not None and messenger.finds_posts,
                )
            except Exception:
                # One coordinator's failed message must not keep the others from theirs.
                log.exception("%s %s failed", kind, claim)


def _school(digest: Digest) -> Callable[[Language], Awaitable[OutboundMessage]]:
    return partial(school_message, digest)


def _board(board: BoardDigest) -> Callable[[Language], Awaitable[OutboundMessage]]:
    return partial(board_message, board)
