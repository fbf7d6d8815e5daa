"""Who may open the coordinators' dashboard, and how, without passwords.

A coordinator (or school leader) types ``dashboard`` to the bot and gets a private
one-time sign-in link: a random token, valid for 15 minutes, good for one sign-in.
Signing in with it starts a browser session (a second random secret in a cookie) that
lasts 8 hours. Only SHA-256 hashes of both secrets are stored (:mod:`storage.dashboard`),
and every page checks the session, its expiry and the person's role again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.catalogue import Language, as_language
from bot.messages import OutboundMessage, Paragraph
from bot.staff import coordinators
from bot.turn import Turn
from storage import Database, audit
from storage import dashboard as store
from storage.models import Person, School

# design.md: the dashboard is for coordinators; a school leader runs the school.
DASHBOARD_ROLES = frozenset({"coordinator", "school_leader"})
LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
SIGN_IN_PATH = "/dashboard/signin/"
SIGN_IN_ACTION = "dashboard.signin"


def secret_hash(secret: str) -> str:
    """What is stored of a link token or session id."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def may_open_dashboard(person: Person) -> bool:
    return person.role in DASHBOARD_ROLES


async def request_link(turn: Turn) -> list[OutboundMessage]:
    """``dashboard``: a private sign-in link for coordinators, a refusal for others."""
    if not may_open_dashboard(turn.author):
        notice = await coordinators.notice(turn)
        return [turn.reply(Paragraph(turn.t("dashboard.refused")), *([notice] if notice else []))]
    # Hex, not base64: "_" and "-" could read as emphasis in Slack or Teams markdown.
    token = secrets.token_hex(32)
    await store.forget_expired(turn.session, turn.now)
    await store.create_link(
        turn.session,
        token_hash=secret_hash(token),
        school_id=turn.school.id,
        person_id=turn.author.id,
        now=turn.now,
        expires_at=turn.now + LINK_LIFETIME,
    )
    link = f"{turn.config.public_url.rstrip('/')}{SIGN_IN_PATH}{token}"
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    return [
        turn.reply(
            Paragraph(turn.t("dashboard.link", minutes=minutes)),
            Paragraph(link),
            Paragraph(turn.t("dashboard.link_private")),
        )
    ]


class SignInRefusal(Enum):
    """Why a sign-in link did not work (each has its own message)."""

    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new browser session: the secret for the cookie, and until when it holds."""

    session_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in coordinator looking at the dashboard."""

    person_id: int
    name: str
    role: str
    school_id: int
    school: School
    language: Language


async def link_refusal(db: Database, token: str, now: datetime) -> SignInRefusal | None:
    """Why the link cannot sign in, or None if it still can (it is not used up)."""
    async with db.session() as session:
        state = await store.link_state(session, secret_hash(token), now)
    return None if state is store.LinkState.VALID else SignInRefusal(state.value)


async def sign_in(db: Database, token: str, now: datetime) -> SignedIn | SignInRefusal:
    """Use the link up and start a session; a replayed, expired or unknown link, or a
    person who is no longer a coordinator, gets the reason instead."""
    async with db.session() as session:
        link = await store.consume_link(session, secret_hash(token), now)
        if link is None:
            state = await store.link_state(session, secret_hash(token), now)
            return SignInRefusal(state.value if state is not store.LinkState.VALID else "used")
        person = await session.get(Person, link.person_id)
        if person is None or not may_open_dashboard(person):
            return SignInRefusal.NOT_ALLOWED
        session_id = secrets.token_hex(32)
        expires_at = now + SESSION_LIFETIME
        await audit.record(
            session,
            school_id=link.school_id,
            actor_id=link.person_id,
            action=SIGN_IN_ACTION,
            subject=SIGN_IN_PATH.rstrip("/"),
            at=now,
        )
        await store.start_session(
            session,
            session_hash=secret_hash(session_id),
            school_id=link.school_id,
            person_id=link.person_id,
            now=now,
            expires_at=expires_at,
        )
        return SignedIn(session_id, expires_at)


async def viewer_of(
    db: Database, session_id: str, now: datetime, default_language: Language
) -> Viewer | None:
    """The coordinator holding this session, or None: unknown or expired session, or a
    person who is no longer allowed (their role changed since they signed in)."""
    async with db.session() as session:
        owner = await store.session_owner(session, secret_hash(session_id), now)
    if owner is None:
        return None
    person, school = owner
    if not may_open_dashboard(person):
        return None
    language = (
        as_language(person.language)
        or as_language(person.locale)
        or as_language(school.language)
        or default_language
    )
    return Viewer(person.id, person.display_name, person.role, school.id, school, language)


async def sign_out(db: Database, session_id: str) -> None:
    async with db.session() as session:
        await store.end_session(session, secret_hash(session_id))


__all__ = [
    "LINK_LIFETIME",
    "SESSION_LIFETIME",
    "SIGN_IN_PATH",
    "SignInRefusal",
    "SignedIn",
    "Viewer",
    "link_refusal",
    "may_open_dashboard",
    "request_link",
    "secret_hash",
    "sign_in",
    "sign_out",
    "viewer_of",
]
