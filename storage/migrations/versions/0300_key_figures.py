"""key figures: contacts rollup, covering interaction indexes, school settings,
nudges and the network survey

``contacts`` is backfilled from the interactions already stored, so key figures are
right straight after the upgrade.

Revision ID: 0300
Revises: 0200
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0300"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same statement as storage.contacts.rebuild_contacts, copied so that this
# migration keeps doing what it did when later code changes.
BACKFILL = """
INSERT INTO contacts (person_id, other_id, school_id, last_out, last_in, last_any, last_both)
SELECT person_id, other_id, MAX(school_id), MAX(last_out), MAX(last_in), MAX(last_any),
       CASE WHEN MAX(last_out) IS NULL OR MAX(last_in) IS NULL THEN NULL
            WHEN MAX(last_out) < MAX(last_in) THEN MAX(last_out) ELSE MAX(last_in) END
FROM (
    SELECT source_id AS person_id, target_id AS other_id, MAX(school_id) AS school_id,
           MAX(occurred_at) AS last_out, NULL AS last_in, MAX(occurred_at) AS last_any
    FROM interactions WHERE source_id <> target_id GROUP BY source_id, target_id
    UNION ALL
    SELECT target_id, source_id, MAX(school_id), NULL, MAX(occurred_at), MAX(occurred_at)
    FROM interactions WHERE source_id <> target_id GROUP BY target_id, source_id
) AS ends
GROUP BY person_id, other_id
"""


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    # Self-loops were never ties (no code path stores them, metrics ignored them); with
    # none left, counting a person's interactions is a plain index range count.
    op.execute(sa.text("DELETE FROM interactions WHERE source_id = target_id"))
    # Plain DDL, no batch mode: SQLite drops and creates indexes in place.
    op.drop_index("ix_interactions_source", table_name="interactions")
    op.drop_index("ix_interactions_target", table_name="interactions")
    op.create_index(
        "ix_interactions_source",
        "interactions",
        ["source_id", "occurred_at", "target_id", "knowledge", "origin"],
    )
    op.create_index(
        "ix_interactions_target", "interactions", ["target_id", "occurred_at", "source_id"]
    )

    op.create_table(
        "contacts",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("last_out", _when(), nullable=True),
        sa.Column("last_in", _when(), nullable=True),
        sa.Column("last_any", _when(), nullable=False),
        sa.Column("last_both", _when(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_contacts_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["people.id"],
            name=op.f("fk_contacts_other_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_contacts_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "other_id", name=op.f("pk_contacts")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_contacts_any", "contacts", ["person_id", "last_any", "other_id"])
    op.create_index("ix_contacts_both", "contacts", ["person_id", "last_both", "other_id"])
    op.create_index("ix_contacts_out", "contacts", ["person_id", "last_out", "other_id"])
    op.create_index(
        "ix_contacts_school", "contacts", ["school_id", "last_any", "person_id", "last_both"]
    )
    op.execute(sa.text(BACKFILL))

    op.create_table(
        "school_settings",
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("window_weeks", sa.Integer(), nullable=True),
        sa.Column("key_figures", sa.Integer(), nullable=True),
        sa.Column("super_sharer_reciprocity", sa.Float(), nullable=True),
        sa.Column("interactor_reciprocity", sa.Float(), nullable=True),
        sa.Column("interactor_activity_kinds", sa.Integer(), nullable=True),
        sa.Column("nudges", sa.Boolean(), nullable=True),
        sa.Column("nudge_weeks", sa.Integer(), nullable=True),
        sa.Column("nudge_follow_days", sa.Integer(), nullable=True),
        sa.Column("nudge_at", sa.String(length=16), nullable=True),
        sa.Column("survey", sa.Boolean(), nullable=True),
        sa.Column("survey_months", sa.Integer(), nullable=True),
        sa.Column("survey_at", sa.String(length=16), nullable=True),
        sa.Column("survey_reminder_days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_school_settings_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", name=op.f("pk_school_settings")),
    )

    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("week_start", _when(), nullable=False),
        sa.Column("sent_at", _when(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("plg_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_at", _when(), nullable=True),
        sa.Column("followed_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_nudges_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_nudges_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plg_id"], ["plgs.id"], name=op.f("fk_nudges_plg_id_plgs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint("person_id", "week_start", name=op.f("uq_nudges_person_id")),
    )
    op.create_index("ix_nudges_school_sent", "nudges", ["school_id", "sent_at"])

    op.create_table(
        "nudge_stops",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("stopped_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_nudge_stops_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_nudge_stops")),
    )

    op.create_table(
        "survey_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("due_at", _when(), nullable=False),
        sa.Column("sent_at", _when(), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("answered_at", _when(), nullable=True),
        sa.Column("skipped_at", _when(), nullable=True),
        sa.Column("reminded_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_survey_invites_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_survey_invites_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invites")),
        sa.UniqueConstraint("person_id", "due_at", name=op.f("uq_survey_invites_person_id")),
    )
    op.create_index("ix_survey_invites_school_due", "survey_invites", ["school_id", "due_at"])


def downgrade() -> None:
    op.drop_table("survey_invites")
    op.drop_table("nudge_stops")
    op.drop_table("nudges")
    op.drop_table("school_settings")
    op.drop_table("contacts")
    op.drop_index("ix_interactions_source", table_name="interactions")
    op.drop_index("ix_interactions_target", table_name="interactions")
    op.create_index("ix_interactions_source", "interactions", ["source_id", "occurred_at"])
    op.create_index("ix_interactions_target", "interactions", ["target_id", "occurred_at"])
