"""roster: staff known from the school's roster, leavers, e-mail, years in education

Revision ID: 1000
Revises: 0900
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1000"
down_revision: str | None = "0900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    with op.batch_alter_table("people") as people:
        people.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        people.add_column(sa.Column("on_roster_since", when, nullable=True))
        people.add_column(sa.Column("left_at", when, nullable=True))
        people.add_column(sa.Column("career_start", sa.Integer(), nullable=True))
    op.create_index("ix_people_school_email", "people", ["school_id", "email"])
    with op.batch_alter_table("school_settings") as settings:
        settings.add_column(sa.Column("leaders_see_names", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("school_settings") as settings:
        settings.drop_column("leaders_see_names")
    op.drop_index("ix_people_school_email", table_name="people")
    with op.batch_alter_table("people") as people:
        people.drop_column("career_start")
        people.drop_column("left_at")
        people.drop_column("on_roster_since")
        people.drop_column("email")
