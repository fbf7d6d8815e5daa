"""weekly digests, their stored aggregates and per-school digest settings

``digest_weeks`` holds a school's figures per ISO week (aggregates only) and
``digest_key_figures`` the key figures a digest showed, by person id, so the next
digest can say what changed. ``school_settings`` gets the digest's schedule, where it
goes and whether it names people at all.

Revision ID: 0500
Revises: 0400
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0500"
down_revision: str | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTS = (
    "staff",
    "active",
    "interactions",
    "new_ties",
    "ties",
    "reciprocal_ties",
    "focus",
    "process",
    "outcomes",
    "benefits",
    "organisation",
    "nudges_sent",
    "nudges_followed",
)


def upgrade() -> None:
    with op.batch_alter_table("school_settings") as batch:
        batch.add_column(sa.Column("digest", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("digest_at", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("digest_channel", sa.String(length=256), nullable=True))
        batch.add_column(sa.Column("aggregate_only", sa.Boolean(), nullable=True))

    op.create_table(
        "digest_weeks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("week_start", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        sa.Column("holiday", sa.Boolean(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_digest_weeks_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_weeks")),
        sa.UniqueConstraint("school_id", "week", name=op.f("uq_digest_weeks_school_id")),
    )

    op.create_table(
        "digest_key_figures",
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("degree", sa.Integer(), nullable=False),
        sa.Column("reciprocal_ties", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["digest_weeks.id"],
            name=op.f("fk_digest_key_figures_digest_id_digest_weeks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_digest_key_figures_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("digest_id", "person_id", name=op.f("pk_digest_key_figures")),
    )
    op.create_index(op.f("ix_digest_key_figures_person_id"), "digest_key_figures", ["person_id"])


def downgrade() -> None:
    op.drop_table("digest_key_figures")
    op.drop_table("digest_weeks")
    with op.batch_alter_table("school_settings") as batch:
        batch.drop_column("aggregate_only")
        batch.drop_column("digest_channel")
        batch.drop_column("digest_at")
        batch.drop_column("digest")
