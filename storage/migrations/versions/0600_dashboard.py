"""dashboard sign-in links and sessions

Revision ID: 0600
Revises: 0500
Create Date: 2026-11-22
"""

from collections.abc import Sequence

revision: str = "0600"
down_revision: str | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
