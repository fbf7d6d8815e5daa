"""roster and school year: staff from the roster (leavers, e-mail, years in
education), leaders' view of names, closed school years and PLGs

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
    with op.batch_alter_table("plgs") as plgs:
        plgs.add_column(sa.Column("closed_at", when, nullable=True))
        plgs.add_column(sa.Column("year_decision", sa.String(length=9), nullable=True))
    op.create_table(
        "school_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=9), nullable=False),
        sa.Column("started_at", when, nullable=False),
        sa.Column("closed_at", when, nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_school_years_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_years")),
        sa.UniqueConstraint("school_id", "name", name=op.f("uq_school_years_school_id_name")),
    )


def downgrade() -> None:
    op.drop_table("school_years")
    with op.batch_alter_table("plgs") as plgs:
        plgs.drop_column("year_decision")
        plgs.drop_column("closed_at")
    with op.batch_alter_table("school_settings") as settings:
        settings.drop_column("leaders_see_names")
    op.drop_index("ix_people_school_email", table_name="people")
    with op.batch_alter_table("people") as people:
        people.drop_column("career_start")
        people.drop_column("left_at")
        people.drop_column("on_roster_since")
        people.drop_column("email")
