"""Small test helpers: drive a console script, read back what was stored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from adapters.console import ConsoleSession
from storage import Database
from storage.models import Interaction, Person


async def run_script(console: ConsoleSession, script: str) -> str:
    """Send each non-empty line; return everything printed, one string."""
    out: list[str] = []
    for line in script.strip().splitlines():
        out.extend(await console.send(line.strip()))
    return "\n".join(out)


async def edges(db: Database) -> list[tuple[str, str, str, int]]:
    """Every stored interaction as (source handle, target handle, origin, knowledge)."""
    source, target = aliased(Person), aliased(Person)
    async with db.session() as session:
        rows = await session.execute(
            select(
                source.platform_user_id,
                target.platform_user_id,
                Interaction.origin,
                Interaction.knowledge,
            )
            .join(source, source.id == Interaction.source_id)
            .join(target, target.id == Interaction.target_id)
            .order_by(Interaction.id)
        )
        return [(s, t, o, k) for s, t, o, k in rows]
