"""The cast of the demo school (:mod:`bot.demo.school`): staff, PLGs and the planned key figures.

Names are fictional but typical of a Dutch secondary school's staff room. The first four
people are also used by the shared test fixtures, so their names, roles and handles are
fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHOOL_NAME = "Demo College"


@dataclass(frozen=True, slots=True)
class StaffMember:
    name: str
    role: str
    department: str


@dataclass(frozen=True, slots=True)
class PLGSpec:
    name: str
    kind: str
    focus: str
    channel: str
    leads: tuple[str, ...]
    members: tuple[str, ...]
    # The next meeting is the first such weekday (0 = Monday) at least this many days on.
    meeting_weekday: int
    meeting_after_days: int


STAFF: tuple[StaffMember, ...] = (
    StaffMember("Anouk de Vries", "plg_lead", "Wiskunde"),
    StaffMember("Bram Jansen", "teacher", "Wiskunde"),
    StaffMember("Chantal Bakker", "teacher", "Exacte vakken"),
    StaffMember("Dirk Visser", "team_leader", "Onderbouw"),
    StaffMember("Sanne Mulder", "plg_lead", "Nederlands"),
    StaffMember("Thomas Smit", "plg_lead", "Mens & Maatschappij"),
    StaffMember("Marieke Vermeulen", "team_leader", "Bovenbouw"),
    StaffMember("Gerard Bos", "school_leader", "Directie"),
    StaffMember("Noor Hendriks", "coordinator", "Onderwijsontwikkeling"),
    StaffMember("Ellen Post", "support", "Zorg"),
    StaffMember("Rob Huisman", "support", "Exacte vakken"),
    StaffMember("Saskia van Leeuwen", "support", "Mediatheek"),
    StaffMember("Wim de Jong", "support", "Roostering"),
    StaffMember("Ahmed Benali", "teacher", "Wiskunde"),
    StaffMember("Kees van Dijk", "teacher", "Wiskunde"),
    StaffMember("Mehmet Yilmaz", "teacher", "Wiskunde"),
    StaffMember("Ruud Meijer", "teacher", "Exacte vakken"),
    StaffMember("Ingrid de Boer", "teacher", "Exacte vakken"),
    StaffMember("Jeroen Vos", "teacher", "Exacte vakken"),
    StaffMember("Fatima El Amrani", "teacher", "Nederlands"),
    StaffMember("Pieter de Groot", "teacher", "Nederlands"),
    StaffMember("Lotte Peters", "teacher", "Nederlands"),
    StaffMember("Lisa van den Berg", "teacher", "Engels"),
    StaffMember("Mark Willems", "teacher", "Engels"),
    StaffMember("Naima Bouzid", "teacher", "Engels"),
    StaffMember("Sophie Kuipers", "teacher", "Moderne vreemde talen"),
    StaffMember("Daan Bosman", "teacher", "Moderne vreemde talen"),
    StaffMember("Yvonne Dekker", "teacher", "Mens & Maatschappij"),
    StaffMember("Hans Kok", "teacher", "Mens & Maatschappij"),
    StaffMember("Priya Ramdin", "teacher", "Mens & Maatschappij"),
    # Two colleagues share a first name, as in most staff rooms: handles tom and tom2.
    StaffMember("Tom de Graaf", "teacher", "Mens & Maatschappij"),
    StaffMember("Tom Verbeek", "teacher", "Exacte vakken"),
    StaffMember("Eva Brouwer", "teacher", "Kunst & Cultuur"),
    StaffMember("Joost de Wit", "teacher", "Kunst & Cultuur"),
    StaffMember("Marloes Hoekstra", "teacher", "Kunst & Cultuur"),
    StaffMember("Tim Dijkstra", "teacher", "LO"),
    StaffMember("Kim Schouten", "teacher", "LO"),
    StaffMember("Jasper Kramer", "teacher", "LO"),
    StaffMember("Ilse Martens", "teacher", "Onderbouw"),
    StaffMember("Esther Wouters", "teacher", "Zorg"),
)

PLGS: tuple[PLGSpec, ...] = (
    PLGSpec(
        name="Datateam havo-3",
        kind="data_team",
        focus="Relatief veel havo 3-leerlingen blijven zitten. Wat zijn de oorzaken?",
        channel="datateam-havo3",
        leads=("Anouk de Vries",),
        members=(
            "Bram Jansen",
            "Chantal Bakker",
            "Dirk Visser",
            "Mehmet Yilmaz",
            "Lisa van den Berg",
            "Noor Hendriks",
        ),
        meeting_weekday=1,
        meeting_after_days=3,
    ),
    PLGSpec(
        name="Lesson study begrijpend lezen",
        kind="lesson_study",
        focus=(
            "Onderbouwleerlingen lezen teksten bij de zaakvakken oppervlakkig. "
            "Hoe leren we ze in elk vak begrijpend lezen?"
        ),
        channel="lesson-study-lezen",
        leads=("Sanne Mulder", "Pieter de Groot"),
        members=("Fatima El Amrani", "Yvonne Dekker", "Ingrid de Boer", "Saskia van Leeuwen"),
        meeting_weekday=3,
        meeting_after_days=7,
    ),
    PLGSpec(
        name="PLG formatief evalueren",
        kind="other",
        focus=(
            "Leerlingen leren voor het cijfer, niet voor het leren. Hoe maken we "
            "feedback tijdens de les belangrijker dan de toets?"
        ),
        channel="plg-formatief",
        leads=("Thomas Smit",),
        members=(
            "Hans Kok",
            "Eva Brouwer",
            "Tim Dijkstra",
            "Marieke Vermeulen",
            "Sophie Kuipers",
        ),
        meeting_weekday=0,
        meeting_after_days=10,
    ),
)

# The key figures the generator plans, in the order of their degree.
SUPER_SHARER = "Anouk de Vries"
INTERACTOR = "Sanne Mulder"
SENDER = "Dirk Visser"
