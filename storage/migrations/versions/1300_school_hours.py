"""school_settings.school_hours: when staff may be written to unasked (a round's
halfway note); NULL is the default, 08:00-17:00

Revision ID: 1300
Revises: 1200
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1300"
down_revision: str | None = "1200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("school_settings") as settings:
        settings.add_column(sa.Column("school_hours", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("school_settings") as settings:
        settings.drop_column("school_hours")
