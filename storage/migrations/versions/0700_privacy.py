"""privacy: opt-out, retention, audit log

Revision ID: 0700
Revises: 0600
Create Date: 2026-11-22
"""

from collections.abc import Sequence

revision: str = "0700"
down_revision: str | None = "0600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
