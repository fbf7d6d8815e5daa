"""The ORM schema. Interactions store who, whom, when, where, origin and knowledge
types, never message text (see design.md, Privacy)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which has no time zones) as on
    PostgreSQL; a naive datetime is a bug, so it is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class School(Base):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("platform", "tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    board: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="nl")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("school_id", "platform_user_id"),
        Index("ix_people_school_handle", "school_id", "handle"),
        Index("ix_people_school_email", "school_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200))
    # A short unique name per school, used by the console and CLI to address people.
    handle: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32), default="teacher")
    department: Mapped[str | None] = mapped_column(String(100))
    # Set only when the person chose a language; otherwise it follows their locale.
    language: Mapped[str | None] = mapped_column(String(2))
    locale: Mapped[str | None] = mapped_column(String(16))
    # IANA zone from the platform profile (Slack users.info ``tz``), when known.
    timezone: Mapped[str | None] = mapped_column(String(64))
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The roster (storage.roster): lower-cased e-mail, when the person first appeared on
    # the school's roster (staff for participation from then on), when a re-import no
    # longer had them (a leaver: out of everything current, their past kept under the
    # retention rules), and the year they started in education.
    email: Mapped[str | None] = mapped_column(String(254))
    on_roster_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    career_start: Mapped[int | None] = mapped_column(Integer)
    profile_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def withdrawn(self) -> bool:
        """Opted out or left: out of everything current (storage.staff)."""
        return self.opted_out_at is not None or self.left_at is not None


class PLG(Base):
    __tablename__ = "plgs"
    __table_args__ = (UniqueConstraint("school_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # Case- and space-folded name, so "Data team havo-3" and "data team  HAVO-3" collide.
    name_key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="other")
    focus: Mapped[str] = mapped_column(Text, default="")
    next_meeting: Mapped[date | None] = mapped_column(Date)
    # Other names colleagues use for it ("het datateam"), added by its leads; its
    # leading words already count (bot/network/plg_of_contact.py).
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The school year (storage.school_years): a closed PLG is history, in no current
    # list; ``year_decision`` names the closed year whose leads have not yet said
    # whether the PLG carries on (it does until they close it).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    year_decision: Mapped[str | None] = mapped_column(String(9))


class SchoolYear(Base):
    """A closed school year ("2026-2027") and its figures, kept as history."""

    __tablename__ = "school_years"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(9))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Counts only, never names (bot.staff.school_year.YearSummary).
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class Membership(Base):
    __tablename__ = "plg_members"

    plg_id: Mapped[int] = mapped_column(ForeignKey("plgs.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)


class Channel(Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("school_id", "platform_channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform_channel_id: Mapped[str] = mapped_column(String(256))
    name: Mapped[str | None] = mapped_column(String(200))
    plg_id: Mapped[int | None] = mapped_column(
        ForeignKey("plgs.id", ondelete="SET NULL"), index=True
    )


class Post(Base):
    """A message seen in a PLG channel: its author, not its text. A thread reply needs
    the parent's author to know whom the reply reached."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("channel_id", "platform_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    platform_message_id: Mapped[str] = mapped_column(String(128))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Interaction(Base):
    """A directed contact about a PLG: the source shared knowledge with the target."""

    __tablename__ = "interactions"
    __table_args__ = (
        # A re-delivered or re-processed message logs each edge once.
        UniqueConstraint("message_key", "source_id", "target_id"),
        Index("ix_interactions_school_time", "school_id", "occurred_at"),
        # Covering indexes: a key figure's counts and knowledge types in a window are
        # read from the index alone (see storage/key_figures.py).
        Index(
            "ix_interactions_source", "source_id", "occurred_at", "target_id", "knowledge", "origin"
        ),
        Index("ix_interactions_target", "target_id", "occurred_at", "source_id"),
        # A person's unconfirmed reports of a contact (bot/network/conversations.py).
        Index("ix_interactions_reported", "reported_by_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    plg_id: Mapped[int | None] = mapped_column(ForeignKey("plgs.id", ondelete="SET NULL"))
    source_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(16))
    # KnowledgeType bit mask (bot.knowledge.types): aggregates with a bitwise OR.
    knowledge: Mapped[int] = mapped_column(Integer, default=0)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Platform-scoped id of the message that logged it; NULL for imported data.
    message_key: Mapped[str | None] = mapped_column(String(300), index=True)
    # Who logged it by command or form (told, heard, discussed): both people's reports
    # of one conversation become one record. NULL for what plgbot observed itself, and
    # for a "discussed" logged before this was kept (either side may have typed it).
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # The other person's report confirmed this one: it is one conversation, counted once.
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Delivery(Base):
    """Every delivery a platform made that can produce a record: the inbox, and the
    one de-duplication guard.

    A delivery is written here (``waiting``, with its raw payload) before plgbot
    answers the platform, so an acknowledged delivery survives a crash; the
    transaction that stores what it records also marks it ``done`` and blanks the
    payload (message text is never kept longer). A retry of the same delivery finds
    its key taken. One that keeps failing is ``set_aside`` with its payload blanked.
    Deliveries handled before they were answered (the console, a Teams activity
    handled within its turn) get a ``done`` row straight away."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_state_due", "state", "next_attempt_at"),)

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    state: Mapped[str] = mapped_column(String(12))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When it became done or was set aside: the retention job's clock.
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    platform: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[str | None] = mapped_column(Text)
    # Whose delivery it is (platform ids), so erasure and opt-out reach waiting rows.
    tenant_id: Mapped[str | None] = mapped_column(String(128))
    person: Mapped[str | None] = mapped_column(String(128), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A process working on it holds it until then; after that anyone may take it over.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class QuestionRound(Base):
    """A whiteboard question round (design.md): a PLG lead's open question to the staff.

    ``recurrence`` is the canonical text of :class:`bot.rounds.recurrence.Recurrence`
    (``once``, ``weekly mon 08:00``, ``fortnightly mon 08:00``), read in the school's
    time zone. ``starts_at`` is the first posting and ``closes_at`` the first posting's
    closing; a recurring round closes every posting the same wall-clock time after it.
    ``status``: ``scheduled``, ``paused``, ``cancelled`` or ``done`` (a one-off, closed).
    """

    __tablename__ = "question_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    plg_id: Mapped[int] = mapped_column(ForeignKey("plgs.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text)
    channel_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    recurrence: Mapped[str] = mapped_column(String(64), default="once")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoundOccurrence(Base):
    """One posting of a round and its reply window: replies, the halfway nudge and the
    closing agenda belong to it. ``question`` is the text as it was posted, so a later
    edit does not rewrite what colleagues answered. ``status``: ``open``, ``closed``
    or ``cancelled``. (The generic :class:`Occurrence` rows are the exactly-once claims
    of the posts and messages it causes.)"""

    __tablename__ = "round_occurrences"
    __table_args__ = (UniqueConstraint("round_id", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("question_rounds.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    halfway_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RoundPost(Base):
    """Where a round occurrence was posted: a thread reply to it is a round reply."""

    __tablename__ = "round_posts"
    __table_args__ = (UniqueConstraint("channel_id", "platform_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("round_occurrences.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    platform_message_id: Mapped[str] = mapped_column(String(128))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoundReply(Base):
    __tablename__ = "round_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("question_rounds.id", ondelete="CASCADE"), index=True
    )
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("round_occurrences.id", ondelete="CASCADE"), index=True
    )
    # NULL for anonymous rounds: no author is stored at all.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    knowledge: Mapped[int] = mapped_column(Integer, default=0)
    # The platform message of a thread reply, so deleting the message withdraws it.
    message_key: Mapped[str | None] = mapped_column(String(300), index=True)
    # Anonymous replies only: a hash of a random code shown once to the replier, the
    # only way to edit or withdraw it; it says nothing about who that was.
    edit_code_hash: Mapped[str | None] = mapped_column(String(64))
    # Indexed for the retention job, which deletes replies by age.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Holiday(Base):
    """A school holiday (inclusive local dates): round postings in it are skipped."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("school_id", "starts_on", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class ConversationReference(Base):
    """Where the bot can post later without being spoken to first: a channel, a group
    chat or one person's private chat. ``reference`` is the platform's own opaque
    address (for Teams a Bot Framework ConversationReference), stored as the adapter
    gave it; only that adapter reads it."""

    __tablename__ = "conversation_references"
    __table_args__ = (UniqueConstraint("school_id", "platform_conversation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform_conversation_id: Mapped[str] = mapped_column(String(256))
    # "channel", "group" or "personal".
    kind: Mapped[str] = mapped_column(String(16))
    # The person a private chat is with; erasing the person erases the address too.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    # The team (workspace section) a channel belongs to, for looking up its members.
    team_id: Mapped[str | None] = mapped_column(String(256))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Reply(Base):
    """The outbox: a reply the core decided to send in answer to a delivery, written in
    the transaction that stored what the delivery recorded, so neither a crash before
    the send nor a platform outage loses it (:mod:`storage.outbox`).

    ``destination`` (where to send, as the adapter describes it) and ``message`` (the
    core's message) are JSON; a row is deleted once sent, or once claimed for a send the
    platform cannot look up afterwards (at most once)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_platform_due", "platform", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Who it goes to (platform ids), so erasure and opt-out reach unsent replies.
    tenant_id: Mapped[str | None] = mapped_column(String(128))
    person: Mapped[str | None] = mapped_column(String(128), index=True)
    destination: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The process sending it holds it until then; after that anyone may take it over.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Occurrence(Base):
    """One due run of a scheduled job (a round's post, its closing, a weekly nudge...).

    Claimed in its own committed transaction before anything is sent, so that two
    scheduler processes, a restart or a retried job never do the same occurrence twice;
    ``done_at`` is set once the platform confirmed, so an unconfirmed claim is visible
    after a crash and can be reconciled instead of silently lost.
    """

    __tablename__ = "occurrences"
    __table_args__ = (UniqueConstraint("kind", "key", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "done", "skipped" (e.g. a holiday) or "failed"; NULL while in flight.
    outcome: Mapped[str | None] = mapped_column(String(16))
    # What the run produced, e.g. the platform id of the posted message.
    result: Mapped[str | None] = mapped_column(String(300))


class Contact(Base):
    """The rollup behind key figures: per person and colleague, when knowledge last went
    each way. Maintained with every interaction stored or deleted
    (:mod:`storage.contacts`), so "how many colleagues in the last N weeks" is a count
    over an index range instead of a GROUP BY over every interaction. Opt-outs are
    applied when reading, so this table never has to change when someone opts out."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_any", "person_id", "last_any", "other_id"),
        Index("ix_contacts_both", "person_id", "last_both", "other_id"),
        Index("ix_contacts_out", "person_id", "last_out", "other_id"),
        # PostgreSQL counts a whole school at once (a hash aggregate over this range).
        Index("ix_contacts_school", "school_id", "last_any", "person_id", "last_both"),
        {"sqlite_with_rowid": False},
    )

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    # Both people's school (an interaction never crosses schools).
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    # Latest interaction from person to other, from other to person, and either way.
    last_out: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_in: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_any: Mapped[datetime] = mapped_column(UTCDateTime())
    # The earlier of last_out and last_in (NULL unless both): the tie is reciprocal in
    # every window that starts at or before it.
    last_both: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SchoolSettings(Base):
    """Per-school thresholds and schedules for key figures, nudges and the network
    survey. NULL means the documented default (storage.school_settings.DEFAULTS)."""

    __tablename__ = "school_settings"

    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True
    )
    window_weeks: Mapped[int | None] = mapped_column(Integer)
    key_figures: Mapped[int | None] = mapped_column(Integer)
    super_sharer_reciprocity: Mapped[float | None] = mapped_column(Float)
    interactor_reciprocity: Mapped[float | None] = mapped_column(Float)
    interactor_activity_kinds: Mapped[int | None] = mapped_column(Integer)
    nudges: Mapped[bool | None] = mapped_column(Boolean)
    nudge_weeks: Mapped[int | None] = mapped_column(Integer)
    nudge_follow_days: Mapped[int | None] = mapped_column(Integer)
    nudge_at: Mapped[str | None] = mapped_column(String(16))
    survey: Mapped[bool | None] = mapped_column(Boolean)
    survey_months: Mapped[int | None] = mapped_column(Integer)
    survey_at: Mapped[str | None] = mapped_column(String(16))
    survey_reminder_days: Mapped[int | None] = mapped_column(Integer)
    # Weekly coordinator digest (storage.digests): on/off, when, where (a platform
    # channel id; NULL means each coordinator's private chat), and names or not.
    digest: Mapped[bool | None] = mapped_column(Boolean)
    digest_at: Mapped[str | None] = mapped_column(String(16))
    digest_channel: Mapped[str | None] = mapped_column(String(256))
    aggregate_only: Mapped[bool | None] = mapped_column(Boolean)
    leaders_see_names: Mapped[bool | None] = mapped_column(Boolean)
    retention_months: Mapped[int | None] = mapped_column(Integer)
    # When staff may be written to unasked ("08:00-17:00", school days only).
    school_hours: Mapped[str | None] = mapped_column(String(16))


class Nudge(Base):
    """A private tip sent to a key figure (design.md, Nudges): which knowledge types
    were missing, how they answered, and when they shared a missing type."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("person_id", "week_start"),
        Index("ix_nudges_school_sent", "school_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # The start of the school's week (local Monday 00:00, as UTC) the nudge belongs to.
    week_start: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # KnowledgeType bits the person had not shared in the look-back period.
    missing: Mapped[int] = mapped_column(Integer)
    plg_id: Mapped[int | None] = mapped_column(ForeignKey("plgs.id", ondelete="SET NULL"))
    message_id: Mapped[str | None] = mapped_column(String(300))
    # "shared" or "later" (a button press); NULL while unanswered.
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the person first shared a missing type within the follow-up period.
    followed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NudgeStop(Base):
    """People who asked for no more nudges."""

    __tablename__ = "nudge_stops"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    stopped_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SurveyInvite(Base):
    """One person's invitation to one network survey round, and what became of it. The
    answers themselves are ``survey`` interactions keyed by the invitation."""

    __tablename__ = "survey_invites"
    __table_args__ = (
        UniqueConstraint("person_id", "due_at"),
        Index("ix_survey_invites_school_due", "school_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # The survey round (its scheduled moment), shared by everyone invited to it.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    message_id: Mapped[str | None] = mapped_column(String(300))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    skipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Who opened which dashboard page, and which exports and erasures were made
    (design.md, Privacy). ``subject`` names the page or export, never a person erased;
    an erased actor's entries stay, without the actor."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_school_at", "school_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class DigestWeek(Base):
    """A school's weekly digest figures, aggregates only (storage.digest_history): what a later
    digest compares with ("up from 29%") and the dashboard draws trends from. ``week``
    is the ISO week (``2026-W47``) in the school's time zone."""

    __tablename__ = "digest_weeks"
    __table_args__ = (UniqueConstraint("school_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))
    # Local Monday 00:00 of the week, as UTC.
    week_start: Mapped[datetime] = mapped_column(UTCDateTime())
    staff: Mapped[int] = mapped_column(Integer)
    active: Mapped[int] = mapped_column(Integer)
    interactions: Mapped[int] = mapped_column(Integer)
    new_ties: Mapped[int] = mapped_column(Integer)
    # Colleague pairs with a tie in the analysis window ending with the week, and how
    # many of them went both ways.
    ties: Mapped[int] = mapped_column(Integer)
    reciprocal_ties: Mapped[int] = mapped_column(Integer)
    # Interactions of the week that carried each knowledge type.
    focus: Mapped[int] = mapped_column(Integer)
    process: Mapped[int] = mapped_column(Integer)
    outcomes: Mapped[int] = mapped_column(Integer)
    benefits: Mapped[int] = mapped_column(Integer)
    organisation: Mapped[int] = mapped_column(Integer)
    nudges_sent: Mapped[int] = mapped_column(Integer)
    nudges_followed: Mapped[int] = mapped_column(Integer)
    holiday: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DigestKeyFigure(Base):
    """A key figure as a week's digest showed it, by person id only (no name), so the
    next digest can say what changed; erasing the person removes these rows."""

    __tablename__ = "digest_key_figures"

    digest_id: Mapped[int] = mapped_column(
        ForeignKey("digest_weeks.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(String(32))
    degree: Mapped[int] = mapped_column(Integer)
    reciprocal_ties: Mapped[int] = mapped_column(Integer)


class DashboardLink(Base):
    """A one-time sign-in link to the coordinators' dashboard (adapters/dashboard).
    Only the SHA-256 of the random token is stored, so a database copy signs nobody in;
    ``used_at`` is set by the one request that may consume it."""

    __tablename__ = "dashboard_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DashboardSession(Base):
    """A signed-in dashboard browser: the SHA-256 of its session cookie, whose it is,
    and until when it holds."""

    __tablename__ = "dashboard_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
