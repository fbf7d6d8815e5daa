"""What the key-figure tests share: a school built edge by edge, straight in storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.knowledge.types import KnowledgeType
from bot.network.interactions import Origin
from storage import Database, directory
from storage.interactions import NewInteraction, record_interactions
from tests.conftest import NOW

FOCUS, PROCESS, OUTCOMES, BENEFITS, ORGANISATION = (
    KnowledgeType.FOCUS,
    KnowledgeType.PROCESS,
    KnowledgeType.OUTCOMES,
    KnowledgeType.BENEFITS,
    KnowledgeType.ORGANISATION,
)
DAY = timedelta(days=1)


@dataclass
class Net:
    """A school whose people are named by handle; ``edge`` logs one interaction."""

    db: Database
    tenant: str = "kf"
    ids: dict[str, int] = field(default_factory=dict)
    school_id: int = 0
    _n: int = 0

    async def people(self, *handles: str) -> Net:
        async with self.db.session() as session:
            school = await directory.ensure_school(
                session, platform="console", tenant_id=self.tenant, name=self.tenant, now=NOW
            )
            self.school_id = school.id
            for handle in handles:
                person = await directory.ensure_person(
                    session,
                    school_id=school.id,
                    platform_user_id=handle,
                    display_name=handle.title(),
                    handle=handle,
                    now=NOW,
                )
                self.ids[handle] = person.id
        return self

    async def edges(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        knowledge: KnowledgeType = KnowledgeType.NONE,
        origin: Origin = Origin.TOLD,
        at: datetime | None = None,
        times: int = 1,
    ) -> None:
        """Log ``source -> target`` for each pair, ``times`` times each."""
        rows = []
        for _ in range(times):
            for source, target in pairs:
                self._n += 1
                rows.append(
                    NewInteraction(
                        school_id=self.school_id,
                        source_id=self.ids[source],
                        target_id=self.ids[target],
                        origin=origin.value,
                        knowledge=knowledge.value,
                        occurred_at=at or NOW - DAY,
                        message_key=f"test:{self._n}",
                    )
                )
        async with self.db.session() as session:
            await record_interactions(session, rows)

    async def both(
        self, a: str, others: Sequence[str], *, knowledge: KnowledgeType = KnowledgeType.NONE
    ) -> None:
        """Reciprocal ties between ``a`` and each of ``others``; ``a`` shares
        ``knowledge``."""
        await self.edges([(a, o) for o in others], knowledge=knowledge)
        await self.edges([(o, a) for o in others])
