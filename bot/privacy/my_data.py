"""``my data`` / ``mijn gegevens``: everything stored about a person, as a JSON file.

The export is for the person: their own profile, PLGs, conversations both ways, round
replies, tips, survey invitations and what they did that was audited. A colleague on
the other end of a conversation is named unless that colleague opted out; ordinary
conversations have no text to export, since none is stored.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.knowledge.types import KnowledgeType
from storage.privacy import PersonData, Row

MEDIA_TYPE = "application/json"
FORMAT_VERSION = 1


def file_name(day: date) -> str:
    return f"plgbot-my-data-{day.isoformat()}.json"


def export_json(data: PersonData, *, exported_at: datetime, retention_months: int) -> bytes:
    """The export as UTF-8 JSON, knowledge bit masks spelled out as type names."""
    document: dict[str, Any] = {
        "format": f"plgbot my data v{FORMAT_VERSION}",
        "exported_at": exported_at,
        "school": data.school,
        "retention_months": retention_months,
        "person": data.person,
        "plgs": data.plgs,
        "interactions": [_named(row, "knowledge") for row in data.interactions],
        "round_replies": [_named(row, "knowledge") for row in data.round_replies],
        "rounds_started": data.rounds_started,
        "channel_posts": data.posts,
        "nudges": [_named(row, "missing") for row in data.nudges],
        "nudges_stopped_at": data.nudges_stopped_at,
        "survey_invitations": data.survey_invitations,
        "private_chats": data.private_chats,
        "audit": data.audit,
    }
    return json.dumps(document, default=_plain, ensure_ascii=False, indent=2).encode()


def _named(row: Row, column: str) -> Row:
    return {**row, column: list(KnowledgeType(int(row[column] or 0)).names)}


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")
