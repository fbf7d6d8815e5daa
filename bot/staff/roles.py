"""The roles of design.md ("People and groups") and the words schools use for them.

A roster export names functions as HR writes them ("Docent LB", "Conrector
onderwijs", "TOA natuurkunde"); a coordinator types "coördinator" or "teamleider" in
chat. Both are read here, by the words a function title contains, so that a school's
own spelling works without a list of every title. A title none of the words fits is
not guessed: it is reported (``role_of`` gives None).
"""

from __future__ import annotations

import dataclasses
import re

from storage.directory import name_key
from storage.school_settings import SchoolConfig

ROLES = ("teacher", "plg_lead", "team_leader", "school_leader", "coordinator", "support")

# The roles that appraise staff: they see aggregates only unless the school decides
# otherwise (storage.school_settings ``leaders_see_names``; design.md, Privacy).
APPRAISING = frozenset({"team_leader", "school_leader"})

# Words (accents and case folded) that mark a role, checked in this order: a
# "coördinator onderwijs" is a coordinator, a "teamleider onderbouw" a team leader, and
# only a title with none of the leading words is a teacher or support staff. Word
# starts, so "docenten" and "teamleiders" match too.
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "coordinator",
        ("coordinator", "co-ordinator", "plg-coordinator", "coordinator onderwijsontwikkeling"),
    ),
    (
        "plg_lead",
        ("plg-trekker", "plg trekker", "plg-lead", "plg lead", "trekker", "voorzitter plg"),
    ),
    (
        "school_leader",
        (
            "schoolleider",
            "school leader",
            "schoolleiding",
            "rector",
            "conrector",
            "directeur",
            "director",
            "principal",
            "head teacher",
            "headteacher",
            "bestuurder",
            "directie",
        ),
    ),
    (
        "team_leader",
        (
            "teamleider",
            "team leader",
            "teamleader",
            "afdelingsleider",
            "afdelingsleiding",
            "sectievoorzitter",
            "head of department",
            "locatieleider",
            "bouwcoordinator",
            "jaarlaagcoordinator",
        ),
    ),
    (
        "teacher",
        ("docent", "leraar", "lerares", "teacher", "leerkracht", "mentor", "lio", "stagiair"),
    ),
    (
        "support",
        (
            "onderwijsondersteun",
            "ondersteun",
            "support",
            "oop",
            "toa",
            "onderwijsassistent",
            "instructeur",
            "conciërge",
            "concierge",
            "administrat",
            "secretar",
            "roostermaker",
            "zorgcoordinator",
            "examencoordinator",
            "ict-coordinator",
            "ict coordinator",
            "rooster",
            "mediathe",
            "zorg",
            "decaan",
            "orthopedagoog",
            "remedial",
            "medewerker",
            "staff",
        ),
    ),
)


def sees_names(config: SchoolConfig, role: str) -> bool:
    """Whether someone of ``role`` sees named people (key figures, the network's
    labels, agenda authors) or totals only."""
    return not config.aggregate_only and (role not in APPRAISING or config.leaders_see_names)


def as_seen_by(config: SchoolConfig, role: str) -> SchoolConfig:
    """The school's settings for what ``role`` is shown: aggregate-only unless they
    see names."""
    return config if sees_names(config, role) else dataclasses.replace(config, aggregate_only=True)


# The catalogue's own names (``demo.role.*``) and the keys themselves, exactly.
_EXACT = {
    "docent": "teacher",
    "plg-trekker": "plg_lead",
    "teamleider": "team_leader",
    "schoolleider": "school_leader",
    "coordinator": "coordinator",
    "onderwijsondersteuner": "support",
    **{key: key for key in ROLES},
    **{key.replace("_", " "): key for key in ROLES},
}


def role_of(title: str) -> str | None:
    """The role a function title or typed word names, or None when none fits."""
    folded = name_key(title)
    if not folded:
        return None
    if folded in _EXACT:
        return _EXACT[folded]
    # The longest word found decides: "bouwcoördinator" leads a team, "ICT-coördinator"
    # is support staff. A coordinator (who gets the digest and the dashboard) is only
    # read from a word of its own, never from inside a compound: "zorgcoördinator" is
    # not plgbot's coordinator. Other words also count inside Dutch compounds
    # ("wiskundedocent", "natuurkundeleraar").
    found: list[tuple[int, int, str]] = []
    for order, (role, words) in enumerate(_WORDS):
        for word in words:
            key = name_key(word)
            at_start = re.search(rf"(?:^|[\s/(,;]){re.escape(key)}", folded) is not None
            inside = role != "coordinator" and len(key) >= 6 and key in folded
            if at_start or inside:
                found.append((-len(key), order, role))
    return min(found)[2] if found else None
