"""A staff roster from a CSV or XLSX export, as a school's HR or timetable system writes
it: Dutch or English column names, ``;`` or ``,``, a title row above the header,
first name and surname in separate columns, a start year or a number of years.

Columns are recognised by their name (see ``_COLUMNS``); what a row says is read as
far as it is clear, and what is not clear is reported with the row's number, never
guessed: a function title no role fits keeps the person's role as it is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zipfile import BadZipFile

from bot.staff.roles import role_of
from storage.directory import name_key
from storage.roster import RosterEntry, normal_email

# Field -> the column names that mean it, folded (storage.directory.name_key, with
# punctuation as spaces). Exact names first; then a header containing one of them.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (
        "naam",
        "volledige naam",
        "name",
        "full name",
        "display name",
        "weergavenaam",
        "medewerker",
        "naam medewerker",
        "employee",
        "staff member",
    ),
    "first_name": ("voornaam", "roepnaam", "first name", "given name", "firstname"),
    "infix": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel"),
    "last_name": ("achternaam", "familienaam", "last name", "surname", "lastname", "family name"),
    "email": (
        "e mail",
        "email",
        "e mailadres",
        "emailadres",
        "mail",
        "mailadres",
        "werkmail",
        "e mail werk",
        "email address",
        "e mail address",
        "upn",
        "userprincipalname",
        "user principal name",
    ),
    "platform_id": (
        "slack id",
        "slack user id",
        "slack member id",
        "member id",
        "teams id",
        "aad object id",
        "object id",
        "platform id",
        "user id",
    ),
    "role": (
        "functie",
        "rol",
        "role",
        "function",
        "job title",
        "functieomschrijving",
        "functienaam",
        "title",
        "position",
    ),
    "department": (
        "afdeling",
        "sectie",
        "vaksectie",
        "vakgroep",
        "team",
        "department",
        "section",
        "vak",
        "subject",
    ),
    "career_start": (
        "startjaar onderwijs",
        "in het onderwijs sinds",
        "in onderwijs sinds",
        "werkzaam in het onderwijs sinds",
        "begonnen in het onderwijs",
        "startjaar",
        "career start",
        "start year",
        "started teaching",
        "in education since",
    ),
    "years": (
        "jaren ervaring",
        "ervaring",
        "jaren in het onderwijs",
        "years of experience",
        "years in education",
        "experience",
    ),
}
_EMAIL = re.compile(r"[^@\s<>;,]+@[^@\s<>;,]+\.[^@\s<>;,]+")


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all (what is wrong, for a person)."""


@dataclass(frozen=True, slots=True)
class RosterFile:
    entries: tuple[RosterEntry, ...]
    # Which column was read as which field, for the report.
    columns: dict[str, str]
    # (row, what was not understood) for rows or cells read only in part or not at all.
    problems: tuple[tuple[int, str], ...]


def _folded(header: object) -> str:
    text = name_key(str(header or ""))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _columns(header: Sequence[object]) -> dict[str, int]:
    """Field -> column index: an exact name wins over a containing one; each column is
    read as one field only."""
    folded = [_folded(h) for h in header]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for exact in (True, False):
        for field, names in _COLUMNS.items():
            if field in found:
                continue
            for index, text in enumerate(folded):
                if index in taken or not text:
                    continue
                fits = (
                    text in names
                    if exact
                    else any(n in text.split() or (len(n) > 4 and n in text) for n in names)
                )
                if fits:
                    found[field] = index
                    taken.add(index)
                    break
    return found


def _identifies(columns: dict[str, int]) -> bool:
    return bool({"name", "email", "platform_id", "last_name"} & columns.keys())


def _cell(row: Sequence[object], index: int | None) -> str:
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _year(text: str, *, this_year: int, years: bool) -> int | None:
    """A start year ("2009", "1-8-2009", "2009-08-01") or, from a years column, the
    year that many years ago."""
    digits = re.findall(r"\d+", text)
    if not digits:
        return None
    if years:
        count = int(digits[0])
        return this_year - count if 0 <= count <= 60 else None
    four = [int(d) for d in digits if len(d) == 4]
    year = four[0] if four else None
    return year if year is not None and 1950 <= year <= this_year else None


def entries_from_rows(rows: Iterable[Sequence[object]], *, this_year: int) -> RosterFile:
    """Read the rows of a sheet (header somewhere in the first ten rows)."""
    rows = list(rows)
    # The header is the row among the first ten with the most recognised columns (a
    # title row above it may hold a word like "Medewerkers" too).
    scored = [(len(c), -i) for i, row in enumerate(rows[:10]) if _identifies(c := _columns(row))]
    header_at = -max(scored)[1] if scored else None
    if header_at is None:
        raise RosterFileError(
            "no column with names, e-mail addresses or platform ids found in the first "
            "ten rows (expected e.g. 'Naam', 'E-mail', 'Functie', 'Afdeling')"
        )
    header = rows[header_at]
    columns = _columns(header)
    problems: list[tuple[int, str]] = []
    entries: list[RosterEntry] = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = {field: _cell(row, index) for field, index in columns.items()}
        if not any(cells.values()):
            continue
        name = cells.get("name") or " ".join(
            part
            for part in (cells.get("first_name"), cells.get("infix"), cells.get("last_name"))
            if part
        )
        email_text = cells.get("email", "")
        email = normal_email(email_text)
        if email_text and email is None:
            match = _EMAIL.search(email_text)
            email = normal_email(match.group(0)) if match else None
            if email is None:
                problems.append((number, f"not an e-mail address: {email_text!r}"))
        platform_id = cells.get("platform_id") or None
        if not (email or platform_id):
            problems.append((number, f"{name or 'a row'}: no e-mail address or platform id"))
            if not name:
                continue
        role = None
        title = cells.get("role", "")
        if title:
            role = role_of(title)
            if role is None:
                problems.append((number, f"{name}: function {title!r} is no known role"))
        start = None
        if cells.get("career_start"):
            start = _year(cells["career_start"], this_year=this_year, years=False)
        elif cells.get("years"):
            start = _year(cells["years"], this_year=this_year, years=True)
        if (cells.get("career_start") or cells.get("years")) and start is None:
            raw = cells.get("career_start") or cells.get("years")
            problems.append((number, f"{name}: no year in {raw!r}"))
        entries.append(
            RosterEntry(
                row=number,
                name=name[:200] or None,
                email=email,
                platform_id=platform_id,
                role=role,
                department=(cells.get("department") or None),
                career_start=start,
            )
        )
    shown = {field: str(header[index]) for field, index in columns.items()}
    return RosterFile(tuple(entries), shown, tuple(problems))


def read_roster(path: Path, *, this_year: int) -> RosterFile:
    """A roster from a ``.csv`` (any common delimiter, UTF-8 or Windows-1252) or
    ``.xlsx`` file (its first sheet)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return entries_from_rows(_xlsx_rows(path), this_year=this_year)
    if path.suffix.lower() == ".xls":
        raise RosterFileError("old .xls files cannot be read: save it as .xlsx or .csv")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on a Dutch Windows is Windows-1252.
        text = data.decode("cp1252", errors="replace")
    return entries_from_rows(_csv_rows(text), this_year=this_year)


def _csv_rows(text: str) -> list[list[str]]:
    # The delimiter that splits the first lines most (csv.Sniffer gives up on a title
    # row above the header, which exports often have).
    lines = text.splitlines()[:10]
    delimiter = max(";,\t|", key=lambda d: max((line.count(d) for line in lines), default=0))
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook  # loaded only for a spreadsheet: it is not small
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as error:
        raise RosterFileError(f"not a readable .xlsx file: {error}") from None
    try:
        sheet = book.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
