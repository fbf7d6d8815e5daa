"""question rounds: occurrences, posts, replies per occurrence, school holidays

``round_replies`` was created by 0001 as a placeholder that no released code ever
wrote to, so it is recreated with its occurrence, message key and edit-code columns
rather than altered (SQLite cannot add a NOT NULL foreign key in place).

Revision ID: 0200
Revises: 0100
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0200"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "round_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("halfway_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["question_rounds.id"],
            name=op.f("fk_round_occurrences_round_id_question_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_occurrences")),
        sa.UniqueConstraint(
            "round_id", "due_at", name=op.f("uq_round_occurrences_round_id_due_at")
        ),
    )
    op.create_index(
        op.f("ix_round_occurrences_closes_at"), "round_occurrences", ["closes_at"], unique=False
    )
    op.create_table(
        "round_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("platform_message_id", sa.String(length=128), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_round_posts_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["round_occurrences.id"],
            name=op.f("fk_round_posts_occurrence_id_round_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_posts")),
        sa.UniqueConstraint(
            "channel_id",
            "platform_message_id",
            name=op.f("uq_round_posts_channel_id_platform_message_id"),
        ),
    )
    op.create_index(
        op.f("ix_round_posts_occurrence_id"), "round_posts", ["occurrence_id"], unique=False
    )
    op.drop_index(op.f("ix_round_replies_round_id"), table_name="round_replies")
    op.drop_table("round_replies")
    op.create_table(
        "round_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("knowledge", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=300), nullable=True),
        sa.Column("edit_code_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_round_replies_author_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["round_occurrences.id"],
            name=op.f("fk_round_replies_occurrence_id_round_occurrences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["question_rounds.id"],
            name=op.f("fk_round_replies_round_id_question_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_replies")),
    )
    for column in ("round_id", "occurrence_id", "message_key"):
        op.create_index(op.f(f"ix_round_replies_{column}"), "round_replies", [column], unique=False)
    op.create_table(
        "holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_holidays_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holidays")),
        sa.UniqueConstraint(
            "school_id",
            "starts_on",
            "ends_on",
            name=op.f("uq_holidays_school_id_starts_on_ends_on"),
        ),
    )


def downgrade() -> None:
    op.drop_table("holidays")
    for column in ("round_id", "occurrence_id", "message_key"):
        op.drop_index(op.f(f"ix_round_replies_{column}"), table_name="round_replies")
    op.drop_table("round_replies")
    op.create_table(
        "round_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("knowledge", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_round_replies_author_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["question_rounds.id"],
            name=op.f("fk_round_replies_round_id_question_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_replies")),
    )
    op.create_index(op.f("ix_round_replies_round_id"), "round_replies", ["round_id"])
    op.drop_index(op.f("ix_round_posts_occurrence_id"), table_name="round_posts")
    op.drop_table("round_posts")
    op.drop_index(op.f("ix_round_occurrences_closes_at"), table_name="round_occurrences")
    op.drop_table("round_occurrences")
