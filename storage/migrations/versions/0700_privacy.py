"""privacy: opt-out, retention, audit log

``audit_log`` records who opened which dashboard page and which exports and erasures
were made; ``school_settings.retention_months`` is how long interactions and round
replies are kept (NULL: the default, 12 months). Opting out uses the existing
``people.opted_out_at``.

Revision ID: 0700
Revises: 0600
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0700"
down_revision: str | None = "0600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_audit_log_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_audit_log_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_school_at", "audit_log", ["school_id", "at"])
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])
    # Plain ADD COLUMN: SQLite and PostgreSQL both do it in place.
    op.add_column("school_settings", sa.Column("retention_months", sa.Integer(), nullable=True))
    # The retention job deletes by age; round replies had no index on it.
    op.create_index("ix_round_replies_created_at", "round_replies", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_round_replies_created_at", table_name="round_replies")
    with op.batch_alter_table("school_settings") as batch:
        batch.drop_column("retention_months")
    op.drop_index("ix_audit_log_actor_id", table_name="audit_log")
    op.drop_index("ix_audit_log_school_at", table_name="audit_log")
    op.drop_table("audit_log")
