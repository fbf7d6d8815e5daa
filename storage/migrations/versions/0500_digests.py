"""weekly digests, their stored aggregates and per-school digest settings

Revision ID: 0500
Revises: 0400
Create Date: 2026-11-22
"""

from collections.abc import Sequence

revision: str = "0500"
down_revision: str | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
