"""Reading staff rosters as schools export them: Dutch and English column names, the
delimiters and encodings Excel writes, title rows, split names, start years or years of
experience; and the function titles HR uses, read as roles or reported, never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.staff.roles import role_of
from bot.staff.roster_file import RosterFileError, entries_from_rows, read_roster

YEAR = 2026


def test_a_dutch_hr_export_with_a_title_row_semicolons_and_split_names(tmp_path: Path) -> None:
    path = tmp_path / "personeel.csv"
    path.write_text(
        "Personeelslijst Het Baken 2026-2027;;;;;;\n"
        "Roepnaam;Tussenvoegsel;Achternaam;E-mailadres;Functie;Afdeling;In het onderwijs sinds\n"
        "Anouk;de;Vries;A.deVries@HetBaken.nl ;Docent LB;Wiskunde;2009\n"
        "Bram;;Jansen;bram.jansen@hetbaken.nl;Teamleider onderbouw;Onderbouw;1-8-1998\n"
        ";;;;;;\n",
        encoding="utf-8-sig",
    )
    found = read_roster(path, this_year=YEAR)
    assert found.columns["email"] == "E-mailadres"
    assert [
        (e.row, e.name, e.email, e.role, e.department, e.career_start) for e in found.entries
    ] == [
        (3, "Anouk de Vries", "a.devries@hetbaken.nl", "teacher", "Wiskunde", 2009),
        (4, "Bram Jansen", "bram.jansen@hetbaken.nl", "team_leader", "Onderbouw", 1998),
    ]
    assert found.problems == ()


def test_an_english_export_with_commas_windows_1252_and_years_of_experience(
    tmp_path: Path,
) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(
        "Full name,Email address,Job title,Department,Years of experience\n"
        "Chantal Bakker,chantal@school.nl,Coördinator onderwijsontwikkeling,Exact,12\n"
        "Rob Huisman,rob@school.nl,TOA natuurkunde,Exact,3\n".encode("cp1252")
    )
    found = read_roster(path, this_year=YEAR)
    chantal, rob = found.entries
    assert (chantal.role, chantal.career_start) == ("coordinator", 2014)
    assert (rob.role, rob.career_start) == ("support", 2023)


def test_what_a_row_does_not_say_clearly_is_reported_with_its_row_number() -> None:
    rows = [
        ("Naam", "E-mail", "Functie", "Startjaar"),
        ("Kees van Dijk", "geen", "Kok", "ooit"),
        ("", "", "", ""),
        ("Lotte Peters", "lotte@school.nl", "", "1890"),
    ]
    found = entries_from_rows(rows, this_year=YEAR)
    kees, lotte = found.entries
    assert kees.email is None and kees.role is None and kees.career_start is None
    assert lotte.career_start is None
    problems = dict.fromkeys(r for r, _ in found.problems)
    assert list(problems) == [2, 4]
    text = " ".join(p for _, p in found.problems)
    assert "'geen'" in text and "'Kok' is no known role" in text and "'1890'" in text


def test_an_xlsx_export_with_numbers_as_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Medewerkers"])
    sheet.append(["Naam", "Werkmail", "Rol", "Sectie", "Startjaar onderwijs", "Slack ID"])
    sheet.append(["Noor Hendriks", "noor@school.nl", "Schoolleider", "Directie", 2001.0, "U0NOOR"])
    sheet.append(["Ellen Post", "ellen@school.nl", "Zorgcoördinator", "Zorg", None, None])
    path = tmp_path / "staff.xlsx"
    book.save(path)
    noor, ellen = read_roster(path, this_year=YEAR).entries
    assert (noor.role, noor.career_start, noor.platform_id) == ("school_leader", 2001, "U0NOOR")
    # A care coordinator is not plgbot's coordinator (who gets the digest).
    assert ellen.role == "support"


def test_files_that_are_no_roster_are_refused_with_what_is_wrong(tmp_path: Path) -> None:
    nonsense = tmp_path / "notes.csv"
    nonsense.write_text("boodschappen\nmelk\nbrood\n")
    with pytest.raises(RosterFileError, match="no column with names"):
        read_roster(nonsense, this_year=YEAR)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RosterFileError, match=r"not a readable \.xlsx"):
        read_roster(broken, this_year=YEAR)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(RosterFileError, match=r"save it as \.xlsx or \.csv"):
        read_roster(old, this_year=YEAR)


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Docent LC", "teacher"),
        ("Leraar Engels", "teacher"),
        ("wiskundedocent", "teacher"),
        ("Docent / mentor havo 3", "teacher"),
        ("Teamleider bovenbouw", "team_leader"),
        ("Afdelingsleider vwo", "team_leader"),
        ("Bouwcoördinator onderbouw", "team_leader"),
        ("Rector", "school_leader"),
        ("Conrector onderwijs", "school_leader"),
        ("Directeur", "school_leader"),
        ("coördinator", "coordinator"),
        ("PLG-coördinator", "coordinator"),
        ("Coordinator", "coordinator"),
        ("ICT-coördinator", "support"),
        ("Examencoördinator", "support"),
        ("Onderwijsassistent", "support"),
        ("Administratief medewerker", "support"),
        ("Decaan", "support"),
        ("PLG-trekker", "plg_lead"),
        ("school leader", "school_leader"),
        ("Kok", None),
        ("", None),
    ],
)
def test_function_titles_are_read_as_roles_or_not_at_all(title: str, role: str | None) -> None:
    assert role_of(title) == role
