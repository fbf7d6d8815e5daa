"""inbox: ``deliveries`` replaces ``processed_events``

A delivery is now written before plgbot answers the platform (``waiting``, with its
raw payload until it is processed), and stays as the claim that keeps a retry from
being stored twice (``done``, payload blanked). Existing claims are carried over as
``done``.

Revision ID: 0800
Revises: 0700
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0800"
down_revision: str | None = "0700"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "deliveries",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("received_at", when, nullable=False),
        sa.Column("finished_at", when, nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.String(length=128), nullable=True),
        sa.Column("person", sa.String(length=128), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", when, nullable=True),
        sa.Column("lease_until", when, nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_deliveries")),
    )
    op.create_index("ix_deliveries_state_due", "deliveries", ["state", "next_attempt_at"])
    op.create_index(op.f("ix_deliveries_finished_at"), "deliveries", ["finished_at"])
    op.create_index(op.f("ix_deliveries_person"), "deliveries", ["person"])
    op.execute(
        "INSERT INTO deliveries (key, state, received_at, finished_at, attempts) "
        "SELECT event_key, 'done', processed_at, processed_at, 0 FROM processed_events"
    )
    op.drop_index(op.f("ix_processed_events_processed_at"), table_name="processed_events")
    op.drop_table("processed_events")


def downgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("event_key", sa.String(length=300), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_key", name=op.f("pk_processed_events")),
    )
    op.create_index(op.f("ix_processed_events_processed_at"), "processed_events", ["processed_at"])
    # Waiting deliveries cannot go back: a downgrade keeps only the claims.
    op.execute(
        "INSERT INTO processed_events (event_key, processed_at) "
        "SELECT key, COALESCE(finished_at, received_at) FROM deliveries WHERE state = 'done'"
    )
    op.drop_index(op.f("ix_deliveries_person"), table_name="deliveries")
    op.drop_index(op.f("ix_deliveries_finished_at"), table_name="deliveries")
    op.drop_index("ix_deliveries_state_due", table_name="deliveries")
    op.drop_table("deliveries")
