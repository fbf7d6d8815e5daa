"""Key figures are the same on SQLite and PostgreSQL, in the demo school, from the
command line, and in a small run of the benchmark."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

from bench.generate import NOW as BENCH_NOW
from bench.generate import Board, fill_sqlite
from bench.key_figures import load_edges, networkx_key_figures, time_db
from bot.demo.names import INTERACTOR, SENDER, SUPER_SHARER
from bot.demo.school import load_demo
from bot.network.key_figures import Profile, Window, find_key_figures, network
from bot.network.report import network_report
from storage import Database, directory
from storage.interactions import delete_interactions_of_message
from storage.school_settings import DEFAULTS
from tests.conftest import NOW
from tests.keyfigures.conftest import BENEFITS, FOCUS, OUTCOMES, PROCESS, Net
from tests.keyfigures.test_profiles import research_school
from tests.test_cli import plgbot


async def test_the_same_key_figures_and_profiles_on_sqlite_and_postgresql(
    any_db: Database,
) -> None:
    """Run on both databases; each run compares against the same literal answer."""
    net = await research_school(any_db)
    await net.edges([("c02", "c03")], knowledge=FOCUS | PROCESS | OUTCOMES | BENEFITS)
    async with any_db.session() as session:
        window = Window.ending(NOW, 12)
        figures = await find_key_figures(session, net.school_id, window, DEFAULTS)
        everyone = await network(session, net.school_id, window, DEFAULTS)
    assert [
        (k.rank, k.handle, k.profile.value, dataclasses.astuple(k.place.metrics)[1:])
        for k in figures
    ] == [
        (1, "sanne", "interactor_basic", (3, 4, 2, 5, 7)),
        (2, "dirk", "sender", (5, 0, 0, 5, 5)),
        (3, "anouk", "super_sharer", (4, 3, 3, 4, 7)),
    ]
    assert sorted(p.profile.value for p in everyone.places.values() if p.profile) == sorted(
        ["interactor_basic"] * 5 + ["receiver"] * 8 + ["sender"] * 5 + ["super_sharer"] * 2
    )


async def test_a_deleted_message_leaves_the_key_figures(any_db: Database) -> None:
    net = await Net(any_db).people("a", "b", "c", "d")
    await net.edges([("a", "b"), ("a", "c")])
    await net.edges([("d", "b"), ("d", "c"), ("d", "a")])  # messages test:3 .. test:5
    async with any_db.session() as session:
        for key in ("test:3", "test:4", "test:5"):
            await delete_interactions_of_message(session, key)
    async with any_db.session() as session:
        figures = await find_key_figures(session, net.school_id, Window.ending(NOW, 12), DEFAULTS)
    assert [(k.handle, k.place.metrics.degree) for k in figures] == [("a", 2), ("b", 1), ("c", 1)]


async def test_the_demo_school_has_its_planned_key_figures(db: Database) -> None:
    await load_demo(db, now=NOW)
    async with db.session() as session:
        school = await directory.find_school(session, "demo")
        assert school is not None
        figures = await find_key_figures(session, school.id, Window.ending(NOW, 12), DEFAULTS)
    assert [(k.name, k.profile) for k in figures] == [
        (SUPER_SHARER, Profile.SUPER_SHARER),
        (INTERACTOR, Profile.INTERACTOR_ADVANCED),
        (SENDER, Profile.SENDER),
    ]


async def test_the_report_agrees_with_the_key_figures(db: Database) -> None:
    await load_demo(db, now=NOW)
    report = await network_report(db, school="demo", now=NOW)
    top = [(p.handle, p.profile) for p in report.people[:3]]
    assert [(k.handle, k.profile) for k in report.key_figures] == top
    plg = await network_report(db, school="demo", now=NOW, plg="Datateam havo-3")
    assert len(plg.key_figures) == 3
    assert plg.key_figures[0].degree <= report.key_figures[0].degree


def test_plgbot_network_prints_key_figures_with_profiles(tmp_path: Path) -> None:
    assert plgbot(tmp_path, "demo").returncode == 0
    text = plgbot(tmp_path, "network", "--school", "demo", env={"PLGBOT_LANGUAGE": "en"})
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    title = lines.index("Key figures, last 12 weeks")
    assert lines[title + 1].startswith("1. Anouk de Vries (@anouk) — super-sharer: ")
    assert lines[title + 2].startswith("2. Sanne Mulder (@sanne) — interactor (advanced): ")
    assert lines[title + 3].startswith("3. Dirk Visser (@dirk) — sender: ")
    assert "colleagues" in lines[title + 1] and "in the last 12 weeks" in lines[title + 1]
    exported = json.loads(
        plgbot(tmp_path, "network", "--school", "demo", "--format", "json").stdout
    )
    assert [k["profile"] for k in exported["key_figures"]] == [
        "super_sharer",
        "interactor_advanced",
        "sender",
    ]
    table = plgbot(
        tmp_path, "network", "--school", "demo", "--format", "csv", "--table", "keyfigures"
    )
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert [(r["rank"], r["handle"]) for r in rows] == [
        ("1", "anouk"),
        ("2", "sanne"),
        ("3", "dirk"),
    ]
    # Thresholds are the school's: with one key figure, only Anouk is left.
    changed = plgbot(tmp_path, "school", "set", "--school", "demo", "key_figures=1")
    assert changed.stdout == "key_figures = 1\n"
    again = plgbot(tmp_path, "network", "--school", "demo", "--format", "json")
    assert [k["handle"] for k in json.loads(again.stdout)["key_figures"]] == ["anouk"]
    wrong = plgbot(tmp_path, "school", "set", "--school", "demo", "key_figures=many")
    assert wrong.returncode == 1
    assert "key_figures: 'many' is not valid; use a whole number" in wrong.stderr
    shown = plgbot(tmp_path, "school", "show", "--school", "demo")
    assert "nudge_at = mon 09:00" in shown.stdout and "key_figures = 1" in shown.stdout


async def test_a_small_benchmark_run_agrees_with_networkx(tmp_path: Path) -> None:
    """The benchmark's own check, at a size that takes a second (no timing asserted)."""
    path = tmp_path / "bench.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.upgrade()
    await db.dispose()
    fill_sqlite(str(path), Board(schools=2, staff=60, interactions=3000))
    for weeks in (12, 52):
        edges, names = load_edges(str(path), weeks)
        expected = networkx_key_figures(edges, names)
        for from_contacts in (None, False):
            run = await time_db(
                f"sqlite+aiosqlite:///{path}", weeks, 1, from_contacts=from_contacts
            )
            assert run["result"] == expected
    assert BENCH_NOW.tzinfo is not None
