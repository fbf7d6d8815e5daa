"""The dashboard served for real: the demo school in a real database, the whole
``plgbot serve`` app on a loopback port, the sign-in link asked for through the console
like a coordinator would, and Debian's Chromium driven by Playwright.

Chromium is never downloaded (``playwright install`` needs the internet): CI installs
Debian's ``chromium`` (.ci/run); a missing browser fails the tests there and skips them,
with the reason, elsewhere."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, async_playwright

from adapters.console import ConsoleSession
from adapters.server import AppContext, create_app
from adapters.settings import Settings
from bot.clock import FixedClock
from bot.config import BotConfig
from bot.demo.school import load_demo
from bot.service import Bot
from storage import Database
from tests.conftest import NOW
from tests.live_server import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PUBLIC_URL = "https://plgbot.demo-college.nl"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
_LINK = re.compile(re.escape(PUBLIC_URL) + r"(/dashboard/signin/[A-Za-z0-9_\-]+)")


@dataclass
class Dashboard:
    """The served app and a way to get sign-in links as any person of a school."""

    url: str
    bot: Bot
    db: Database
    clock: FixedClock

    async def ask(self, who: str, line: str = "dashboard", *, school: str = "demo") -> str:
        """What the bot answers ``who`` (a handle) typing ``line`` in a private chat."""
        console = ConsoleSession(self.bot, self.db, school=school, clock=self.clock)
        await console.become(who)
        return "\n".join(await console.send(line))

    async def link(self, who: str = "noor", *, school: str = "demo") -> str:
        """A fresh sign-in link for ``who``, pointed at the test server."""
        answer = await self.ask(who, school=school)
        found = _LINK.search(answer)
        assert found is not None, answer
        return self.url + found[1]


def settings_for(database_url: str) -> Settings:
    return Settings(database_url=database_url, PLGBOT_PUBLIC_URL=PUBLIC_URL)


@pytest.fixture
async def dashboard(db: Database, database_url: str, clock: FixedClock) -> AsyncIterator[Dashboard]:
    """The demo school, served by the same app ``plgbot serve`` runs."""
    await load_demo(db, now=NOW)
    bot = Bot(db, clock=clock, config=BotConfig(public_url=PUBLIC_URL))
    # The app gets its own engine (the server disposes it at shutdown).
    served_db = Database(database_url)
    served_bot = Bot(served_db, clock=clock, config=BotConfig(public_url=PUBLIC_URL))
    app = create_app(AppContext(settings_for(database_url), served_bot, served_db))
    async with serving(app) as url:
        yield Dashboard(url, bot, db, clock)


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        # Like PostgreSQL: CI installs it (.ci/run), so there a missing browser is a broken
        # setup; on a developer's machine the browser tests say why they did not run.
        if os.environ.get("CI") == "true":
            pytest.fail("no /usr/bin/chromium, and CI=true")
        pytest.skip("no /usr/bin/chromium (install Debian's chromium)")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[BrowserContext]:
    """Debian's Chromium, headless, with a fresh profile."""
    with tempfile.TemporaryDirectory(prefix="plgbot-chromium-") as profile:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                profile,
                executable_path=str(chromium),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 1000},
                locale="en-GB",
            )
            try:
                yield context
            finally:
                await context.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (gitignored), kept after the run for a human to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
