"""A roster file matched to the platform's member list by e-mail.

The file says who is staff and what they do; the platform knows how to reach them.
Matched by e-mail (what both sides have), each file entry gets its platform id; the
report says who matched, who is only in the file (not on the platform yet: adopted
when they first appear), who is only on the platform (not staff while there is a
file), and what could not be decided (one e-mail on two members).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from storage.directory import name_key
from storage.roster import RosterEntry


@dataclass(slots=True)
class PlatformMatch:
    matched: list[str] = field(default_factory=list)
    only_in_file: list[str] = field(default_factory=list)
    only_on_platform: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def _label(entry: RosterEntry) -> str:
    return entry.name or entry.email or entry.platform_id or f"row {entry.row}"


def match_platform(
    file: Sequence[RosterEntry], members: Sequence[RosterEntry]
) -> tuple[list[RosterEntry], PlatformMatch]:
    """The file's entries with the platform ids of the members with their e-mail."""
    report = PlatformMatch()
    by_email: dict[str, list[RosterEntry]] = defaultdict(list)
    for member in members:
        if member.email:
            by_email[member.email].append(member)
    by_name: dict[str, list[RosterEntry]] = defaultdict(list)
    for member in members:
        by_name[name_key(member.name or "")].append(member)
    used: set[str] = set()
    result: list[RosterEntry] = []
    for entry in file:
        found = by_email.get(entry.email or "", []) if entry.email else []
        if entry.platform_id:
            result.append(entry)
            used.add(entry.platform_id)
            report.matched.append(_label(entry))
            continue
        if len(found) > 1:
            ids = ", ".join(m.platform_id or "?" for m in found)
            report.ambiguous.append(f"{_label(entry)}: {entry.email} is on {ids}")
            result.append(entry)
            continue
        if found:
            member = found[0]
            assert member.platform_id is not None
            used.add(member.platform_id)
            report.matched.append(_label(entry))
            result.append(
                dataclasses.replace(
                    entry, platform_id=member.platform_id, name=entry.name or member.name
                )
            )
            continue
        # No e-mail match: a member of the same name is a hint for the reader, not a
        # match (two colleagues can share a name; the e-mail is what decides).
        namesakes = by_name.get(name_key(entry.name or ""), []) if entry.name else []
        hint = (
            f" (on the platform: {', '.join(m.email or m.platform_id or '?' for m in namesakes)}?)"
        )
        report.only_in_file.append(_label(entry) + (hint if namesakes else ""))
        result.append(entry)
    for member in members:
        if member.platform_id not in used:
            report.only_on_platform.append(_label(member))
    report.only_on_platform.sort()
    return result, report
