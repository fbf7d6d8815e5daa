"""one conversation, one record: who reported an interaction, and whether the other
person's report confirmed it

Revision ID: 1100
Revises: 1000
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1100"
down_revision: str | None = "1000"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as interactions:
        interactions.add_column(sa.Column("reported_by_id", sa.Integer(), nullable=True))
        interactions.add_column(
            sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        interactions.create_foreign_key(
            "fk_interactions_reported_by_id_people",
            "people",
            ["reported_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        interactions.create_index("ix_interactions_reported", ["reported_by_id", "occurred_at"])
    # Who typed a told or heard is known from its direction; a discussed (two edges)
    # could have been typed by either, so it stays unknown and `plgbot reconcile`
    # leaves it as it is.
    op.execute("UPDATE interactions SET reported_by_id = source_id WHERE origin = 'told'")
    op.execute("UPDATE interactions SET reported_by_id = target_id WHERE origin = 'heard'")


def downgrade() -> None:
    with op.batch_alter_table("interactions") as interactions:
        interactions.drop_index("ix_interactions_reported")
        interactions.drop_constraint("fk_interactions_reported_by_id_people", type_="foreignkey")
        interactions.drop_column("confirmed")
        interactions.drop_column("reported_by_id")
