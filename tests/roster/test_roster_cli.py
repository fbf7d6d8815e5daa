"""``plgbot roster import``, ``plgbot people list|set`` and ``plgbot schoolyear close``
as whoever installs plgbot runs them: a subprocess on a fresh SQLite file. Bad input
gets a clear message, a non-zero exit and no traceback, and stores nothing."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from tests.test_cli import plgbot

CSV = """Naam;E-mail;Functie;Afdeling;Startjaar
Anouk de Vries;anouk@demo-college.nl;Docent;Wiskunde;2009
Noor Hendriks;noor@demo-college.nl;Coördinator onderwijsontwikkeling;Directie;2001
Nieuwe Collega;nieuw@demo-college.nl;Kok;Kantine;2026
"""


def _ok(tmp_path: Path, *args: str) -> str:
    result = plgbot(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def _refused(tmp_path: Path, *args: str) -> str:
    result = plgbot(tmp_path, *args)
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    return result.stderr


def test_a_roster_file_is_shown_then_imported_and_people_can_be_set(tmp_path: Path) -> None:
    _ok(tmp_path, "db", "upgrade")
    _ok(tmp_path, "demo")
    roster = tmp_path / "personeel.csv"
    roster.write_text(CSV, encoding="utf-8")
    dry = _ok(
        tmp_path, "roster", "import", "--school", "demo", str(roster), "--dry-run", "--partial"
    )
    assert "dry run, nothing changed" in dry
    assert "row 4: Nieuwe Collega: function 'Kok' is no known role" in dry
    assert "added (would be): 1" in dry
    listed = _ok(tmp_path, "people", "list", "--school", "demo")
    assert "nieuw@demo-college.nl" not in listed

    done = _ok(tmp_path, "roster", "import", "--school", "demo", str(roster), "--partial")
    assert "added: 1" in done and "left the school" not in done
    listed = _ok(tmp_path, "people", "list", "--school", "demo")
    assert "Nieuwe Collega\t@nieuwe\tnieuw@demo-college.nl\tteacher\tKantine\t2026\t" in listed
    assert "on the roster, not seen on the platform yet" in listed

    changed = _ok(
        tmp_path, "people", "set", "--school", "demo", "@nieuwe", "role=OOP", "startjaar=2020"
    )
    assert "Nieuwe Collega (changed): role=support" in changed and "start=2020" in changed
    # Someone known only by e-mail is put on the roster, to be recognised later.
    first = _ok(
        tmp_path, "people", "set", "--school", "demo", "it@demo-college.nl", "role=coordinator"
    )
    assert "role=coordinator" in first


def test_an_xlsx_roster_imports_like_a_csv(tmp_path: Path) -> None:
    _ok(tmp_path, "db", "upgrade")
    _ok(tmp_path, "demo")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in CSV.splitlines():
        sheet.append(row.split(";"))
    book.save(tmp_path / "personeel.xlsx")
    out = _ok(
        tmp_path,
        "roster",
        "import",
        "--school",
        "demo",
        str(tmp_path / "personeel.xlsx"),
        "--partial",
    )
    assert "added: 1" in out


def test_bad_input_is_refused_clearly_and_stores_nothing(tmp_path: Path) -> None:
    _ok(tmp_path, "db", "upgrade")
    _ok(tmp_path, "demo")
    notes = tmp_path / "notes.csv"
    notes.write_text("boodschappen\nmelk\n")
    assert "no column with names" in _refused(
        tmp_path, "roster", "import", "--school", "demo", str(notes)
    )
    broken = tmp_path / "staff.xlsx"
    broken.write_bytes(b"not a spreadsheet")
    assert "not a readable .xlsx file" in _refused(
        tmp_path, "roster", "import", "--school", "demo", str(broken)
    )
    roster = tmp_path / "personeel.csv"
    roster.write_text(CSV, encoding="utf-8")
    assert "no school 'elders'" in _refused(
        tmp_path, "roster", "import", "--school", "elders", str(roster)
    )
    assert "give a FILE" in _refused(tmp_path, "roster", "import", "--school", "demo")
    assert "--from slack needs SLACK_BOT_TOKEN" in _refused(
        tmp_path, "roster", "import", "--from", "slack", str(roster)
    )
    assert "'kok' is no role" in _refused(
        tmp_path, "people", "set", "--school", "demo", "@anouk", "role=kok"
    )
    assert "nobody called 'nobody'" in _refused(
        tmp_path, "people", "set", "--school", "demo", "nobody", "role=teacher"
    )
    assert "set role, department or career_start" in _refused(
        tmp_path, "people", "set", "--school", "demo", "@anouk", "salary=1"
    )
    listed = _ok(tmp_path, "people", "list", "--school", "demo")
    assert "demo-college.nl" not in listed


def test_the_school_year_is_closed_once(tmp_path: Path) -> None:
    _ok(tmp_path, "db", "upgrade")
    _ok(tmp_path, "demo")
    dry = _ok(tmp_path, "schoolyear", "close", "--school", "demo", "--dry-run")
    assert "dry run: nothing closed" in dry and "Datateam havo-3: leden 7" in dry
    closed = _ok(tmp_path, "schoolyear", "close", "--school", "demo")
    assert "is afgesloten" in closed
    assert "was closed on" in _refused(tmp_path, "schoolyear", "close", "--school", "demo")
