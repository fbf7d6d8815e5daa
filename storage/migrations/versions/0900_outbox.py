"""outbox: replies kept until they are sent

Revision ID: 0900
Revises: 0800
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0900"
down_revision: str | None = "0800"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("tenant_id", sa.String(length=128), nullable=True),
        sa.Column("person", sa.String(length=128), nullable=True),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", when, nullable=True),
        sa.Column("lease_until", when, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_platform_due", "outbox", ["platform", "next_attempt_at"])
    op.create_index(op.f("ix_outbox_person"), "outbox", ["person"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_person"), table_name="outbox")
    op.drop_index("ix_outbox_platform_due", table_name="outbox")
    op.drop_table("outbox")
