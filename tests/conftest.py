"""Shared fixtures: a real SQLite file per test, the real core, a console session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console import ConsoleSession
from bot.clock import FixedClock
from bot.service import Bot
from storage import Database

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'plgbot.db'}")
    await database.upgrade()
    yield database
    await database.dispose()


@pytest.fixture
def bot(db: Database, clock: FixedClock) -> Bot:
    return Bot(db, clock=clock)


@pytest.fixture
def console(bot: Bot, db: Database, clock: FixedClock) -> ConsoleSession:
    return ConsoleSession(bot, db, school="test", clock=clock)
