"""``plgbot digest`` and the digest settings, run as a newcomer would: a subprocess on a
fresh SQLite file holding the demo school."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import update

from bot.digest.week import IsoWeek
from storage import Database
from storage.models import School
from storage.school_settings import SettingError, parse_setting
from tests.test_cli import plgbot

# The demo school is loaded relative to the real clock, so "last week" is a full week
# of its interactions whenever the test runs.
LAST_WEEK = IsoWeek.containing(datetime.now(UTC), ZoneInfo("Europe/Amsterdam")).shifted(-1)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("digest-cli")
    result = plgbot(folder, "demo")
    assert result.returncode == 0, result.stderr
    return folder


def _png(path: Path) -> Image.Image:
    image = Image.open(io.BytesIO(path.read_bytes()))
    assert image.format == "PNG"
    return image


def test_digest_writes_markdown_and_both_pictures(demo_db: Path) -> None:
    out = demo_db / "out-en"
    result = plgbot(
        demo_db, "digest", "--school", "demo", "--week", str(LAST_WEEK), "--out", str(out),
        "--language", "en",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["digest.md", "network.png", "trend.png"]
    markdown = (out / "digest.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"# Weekly PLG digest: Demo College, week {LAST_WEEK}")
    assert "of 40 staff" in markdown and "Anouk de Vries" in markdown
    assert "![network.png](network.png)" in markdown
    assert _png(out / "network.png").width >= 800
    assert _png(out / "trend.png").width >= 600
    # Dutch by default (the school's language), last week by default.
    result = plgbot(demo_db, "digest", "--school", "demo", "--out", str(demo_db / "out-nl"))
    assert result.returncode == 0, result.stderr
    dutch = (demo_db / "out-nl" / "digest.md").read_text(encoding="utf-8")
    assert f"week {LAST_WEEK}" in dutch and "medewerkers" in dutch


def test_aggregate_only_through_the_cli(demo_db: Path) -> None:
    result = plgbot(demo_db, "school", "set", "--school", "demo", "aggregate_only=on")
    assert result.returncode == 0, result.stderr
    try:
        out = demo_db / "out-agg"
        result = plgbot(demo_db, "digest", "--school", "demo", "--out", str(out))
        assert result.returncode == 0, result.stderr
        markdown = (out / "digest.md").read_text(encoding="utf-8")
        for name in ("Anouk", "de Vries", "Sanne", "Dirk"):
            assert name not in markdown
        assert "alleen-totalen" in markdown
    finally:
        plgbot(demo_db, "school", "set", "--school", "demo", "aggregate_only=default")


def test_the_board_digest(demo_db: Path) -> None:
    async def join_board() -> None:
        db = Database(f"sqlite+aiosqlite:///{demo_db / 'cli.db'}")
        async with db.session() as session:
            await session.execute(update(School).values(board="Stichting Demo"))
        await db.dispose()

    asyncio.run(join_board())
    out = demo_db / "out-board"
    result = plgbot(
        demo_db, "digest", "--board", "Stichting Demo", "--out", str(out), "--language", "en"
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["digest.md", "trend.png"]
    markdown = (out / "digest.md").read_text(encoding="utf-8").replace("\\", "")
    assert "Weekly PLG digest: Stichting Demo" in markdown
    assert "| School | Staff | Took part | New ties | Reciprocity |" in markdown
    assert "| Demo College | 40 |" in markdown and "| Total | 40 |" in markdown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--school", "demo", "--week", "2026-47"), "not an ISO week like 2026-W47"),
        (("--school", "demo", "--week", "2999-W01"), "2999-W01 has not started yet"),
        (("--school", "nowhere"), "no school 'nowhere'"),
        (("--board", "nobody"), "no schools in board 'nobody'"),
        ((), "give either --school or --board"),
    ],
)
def test_bad_input_gets_a_clear_message(demo_db: Path, args: tuple[str, ...], message: str) -> None:
    result = plgbot(demo_db, "digest", *args, "--out", str(demo_db / "bad"))
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_digest_settings_are_validated() -> None:
    assert parse_setting("digest_at", "Tue 08:15") == "tue 08:15"
    assert parse_setting("digest", "off") is False
    assert parse_setting("aggregate_only", "on") is True
    assert parse_setting("digest_channel", "C0123ABCD") == "C0123ABCD"
    assert parse_setting("digest_channel", "") is None  # back to the coordinators' DMs
    for key, raw in (("digest_at", "monday"), ("digest_channel", "#staff room")):
        with pytest.raises(SettingError, match=key):
            parse_setting(key, raw)
