"""How teachers write: every phrasing of tests/data/phrasings.tsv typed to plgbot in
the console (real core, real database), and what plgbot made of it. A phrasing is
understood when plgbot stored exactly what the writer meant (that conversation, that
way round, those colleagues), or asked with buttons where the expected answer is to
ask, or stored nothing where nothing should be stored. It is misunderstood when
plgbot stored something the writer did not mean: the failure a school must never see.

Targets (issue 19): at least 95% understood, at most 1% misunderstood. The figures are
printed (pytest -s) and kept in the README."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from adapters.console import ConsoleSession
from storage import Database
from storage.models import Interaction, Person
from tests.helpers import run_script

DATA = Path(__file__).parent / "data"
TABLE, HELD_OUT = DATA / "phrasings.tsv", DATA / "phrasings_heldout.tsv"
STAFF = [
    "Anouk de Vries",
    "Bram Jansen",
    "Tom de Graaf",
    "Tom Verbeek",
    "Naïma Ouali",
    "José Álvarez",
    "Daan Smit",
    "Fatima el Amrani",
    "Sanne Bakker",
    "Lisa de Boer",
    "Hans Peters",
    "Yvonne Kok",
    "Ruud van Dijk",
    "Gerard Mulder",
    "Dirk Visser",
]
UNDERSTOOD, MISUNDERSTOOD = 0.95, 0.01
HELD_OUT_UNDERSTOOD = 0.0


@dataclass(frozen=True, slots=True)
class Row:
    language: str
    text: str
    expected: str


def rows(table: Path) -> list[Row]:
    lines = table.read_text(encoding="utf-8").splitlines()
    return [Row(*line.split("\t")) for line in lines if line and not line.startswith("#")]


async def outcome(db: Database, after: int, output: str) -> str:
    """What plgbot did with a message: ``ORIGIN:names`` for what it stored, else
    ``ask`` (buttons, nothing stored) or ``none``."""
    async with db.session() as session:
        names = {p.id: p.display_name for p in await session.scalars(select(Person))}
        anouk = next(i for i, n in names.items() if n == "Anouk de Vries")
        new = list(await session.scalars(select(Interaction).where(Interaction.id > after)))
    if not new:
        return "ask" if "/press" in output else "none"
    origins = sorted({i.origin for i in new})
    others: list[str] = []
    for interaction in sorted(new, key=lambda i: i.id):
        other = names[
            interaction.target_id if interaction.source_id == anouk else interaction.source_id
        ]
        if other not in others:
            others.append(other)
    heard = all(i.target_id == anouk for i in new) and origins == ["told"]
    origin = "heard" if heard or origins == ["heard"] else "+".join(origins)
    return f"{origin}:{','.join(others)}"


def same(found: str, expected: str) -> bool:
    if ":" not in expected or ":" not in found:
        return found == expected
    origin, names = expected.split(":", 1)
    got_origin, got_names = found.split(":", 1)
    return origin == got_origin and set(names.split(",")) == set(got_names.split(","))


@dataclass(frozen=True, slots=True)
class Score:
    total: int
    understood: int
    wrong: list[tuple[Row, str]]
    missed: list[tuple[Row, str]]

    def report(self, name: str) -> str:
        lines = [
            f"{name}: {self.total} phrasings, {self.understood / self.total:.1%} understood, "
            f"{len(self.wrong) / self.total:.1%} misunderstood (stored wrong), "
            f"{len(self.missed) / self.total:.1%} not understood"
        ]
        for row, found in self.wrong + self.missed:
            lines.append(f"  {row.language}  {row.text!r}: expected {row.expected}, got {found}")
        return "\n".join(lines)


async def score(console: ConsoleSession, db: Database, table: list[Row]) -> Score:
    await run_script(console, "\n".join(f"/as {name}" for name in STAFF) + "\n/as anouk")
    understood, wrong, missed = 0, [], []
    for row in table:
        async with db.session() as session:
            last = await session.scalar(select(func.max(Interaction.id))) or 0
        output = await run_script(console, row.text)
        found = await outcome(db, last, output)
        if same(found, row.expected):
            understood += 1
        elif ":" in found:
            wrong.append((row, found))
        else:
            missed.append((row, found))
    return Score(len(table), understood, wrong, missed)


async def test_teachers_phrasings_are_understood(console: ConsoleSession, db: Database) -> None:
    table = rows(TABLE)
    assert len(table) >= 300
    result = await score(console, db, table)
    print("\n" + result.report("phrasings.tsv"))
    assert result.understood / result.total >= UNDERSTOOD
    assert len(result.wrong) / result.total <= MISUNDERSTOOD


async def test_held_out_phrasings_are_understood(console: ConsoleSession, db: Database) -> None:
    result = await score(console, db, rows(HELD_OUT))
    print("\n" + result.report("phrasings_heldout.tsv"))
    assert result.understood / result.total >= HELD_OUT_UNDERSTOOD
    assert len(result.wrong) / result.total <= MISUNDERSTOOD
